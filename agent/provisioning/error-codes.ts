import type { ErrorTable } from '../core/error-table.js';

/**
 * Codes of signed provisioning on the gateway (agent/provisioning/, docs/provisioning.md): desired
 * configs in the order they are checked, signatures and trust, secrets, commands, bootstrap, last-good.
 * Operator tools have their own table (operator/error-codes.ts).
 */
export const ProvisioningErrorCodes = {
  PROVISIONING_TOO_LARGE: {
    summary: 'the desired config is larger than `provisioning.maxMessageBytes` (checked **before** parsing)',
    remedy: 'shrink the config or raise `provisioning.maxMessageBytes`',
  },
  PROVISIONING_MALFORMED: {
    summary: 'the desired config is not JSON, or its claims are not well-formed (gateway, integer version, issuedAt, config, an ISO 8601 expiresAt)',
    remedy: 'publish a JWS made by `edge-agent provision push`',
  },
  PROVISIONING_UNSIGNED: {
    summary: 'the desired config is not a JWS at all',
    remedy: 'sign it with a fleet key: `edge-agent provision push`',
  },
  PROVISIONING_WRONG_GATEWAY: {
    summary: 'not addressed to this gateway (claims `gateway`, and `config.gateway.id` if set)',
    remedy: 'push it to the topic of the gateway it names; leave `gateway.id` out of pushed configs',
  },
  PROVISIONING_STALE_VERSION: {
    summary: 'the version is not higher than the last one handled',
    remedy: 'push with a higher `--version`',
  },
  PROVISIONING_BAD_ISSUED_AT: {
    summary: '`issuedAt` is missing, unreadable or in the future beyond `maxClockSkewSeconds`',
    remedy: 'check the clocks (NTP) of the operator machine and the gateway',
  },
  PROVISIONING_EXPIRED: {
    summary: 'the desired config has expired (`expiresAt`)',
    remedy: 'push it again with a later expiry',
  },
  PROVISIONING_DATADIR_CHANGE: {
    summary: 'the config moves `gateway.dataDir`, where the identity and last-good config live',
    remedy: 'keep `gateway.dataDir` as it is on the gateway',
  },
  PROVISIONING_LOCKOUT: {
    summary: '`provisioning.trustedKeys` is empty or not loadable: the gateway could never be provisioned again',
    remedy: 'keep the fleet key paths in `provisioning.trustedKeys`',
  },
  PROVISIONING_UNHEALTHY: {
    summary: 'an applied config did not come up healthy (or could not be kept as last-good) and was rolled back (`config/reported` status `rolled_back`; the message says what failed)',
    remedy: 'fix what the message names and push a new version',
  },
  PROVISIONING_INTERNAL: {
    summary: 'handling a desired config failed unexpectedly (a bug); reported as rejected',
    remedy: 'please report it with the log; push again',
  },
  SIGNATURE_MALFORMED: {
    summary: 'a JWS part is not base64url JSON, the header `alg` is not `EdDSA` (`alg: none` too), or the signature is not base64url',
    remedy: 'sign with an Ed25519 fleet key: `edge-agent provision push` or `edge-agent request`',
  },
  SIGNATURE_WRONG_TYPE: {
    summary: 'the JWS `typ` does not fit: a signed command is never accepted as a config or vice versa',
    remedy: 'send a config to `config/desired` and a command to `request/<name>`',
  },
  SIGNATURE_NO_TRUSTED_KEYS: {
    summary: 'no trusted fleet keys are configured',
    remedy: 'list fleet public keys in `provisioning.trustedKeys` (or the bootstrap file)',
  },
  SIGNATURE_INVALID: {
    summary: 'the signature does not verify against any trusted fleet key',
    remedy: 'sign with a fleet key whose public key is in `provisioning.trustedKeys`',
  },
  TRUST_KEY_UNREADABLE: {
    summary: 'a `provisioning.trustedKeys` file cannot be read, or a folder named there holds no `*.pub`/`*.pem` file',
    remedy: 'check `provisioning.trustedKeys` paths and permissions',
  },
  TRUST_KEY_INVALID: {
    summary: 'a `provisioning.trustedKeys` file is not a PEM Ed25519 public key',
    remedy: 'use the `fleet.pub` written by `edge-agent keys generate`',
  },
  TRUST_KEY_WRITABLE: {
    summary: 'a `provisioning.trustedKeys` (or `readerKeys`) file, or a folder on its path, is writable by the agent\'s own user, so a compromised camera process could add or replace a key (not checked when the agent runs as root)',
    remedy: 'put `fleet.pub` in the root-owned `/etc/edge-agent/trusted-keys` (`install.sh --trusted-key fleet.pub`) and name that folder in `trustedKeys` (inline bootstrap keys land in the writable data dir)',
  },
  SECRET_UNDECRYPTABLE: {
    summary: 'an encrypted secret does not decrypt (decryption happens before the schema check; the message says only this and the JSON path)',
    remedy: 'encrypt it to this gateway\'s public key (from its status message)',
  },
  SECRET_KEY_INVALID: {
    summary: 'the key given to encrypt secrets to is not an Ed25519 public key',
    remedy: 'use the gateway public key from its status message',
  },
  COMMAND_UNKNOWN: {
    summary: 'a request on `request/<name>` names no command',
    remedy: 'use one of the commands in docs/provisioning.md (the remedy lists them)',
  },
  COMMAND_UNSIGNED: {
    summary: 'a command other than `config/get` arrived unsigned: one that changes the gateway (`camera/enable`, `camera/disable`, `restart`) needs a fleet key, one that reads footage or costs the box (`snapshot`, `clip`, `diag`) a fleet or reader key',
    remedy: 'send it with `edge-agent request --key <fleet or reader key>`',
  },
  COMMAND_NOT_PERMITTED: {
    summary: 'a command that changes the gateway was signed by a reader key (`provisioning.readerKeys`), which may only sign `snapshot`, `clip`, `diag` and `config/get`',
    remedy: 'sign it with a fleet key (`provisioning.trustedKeys`)',
  },
  COMMAND_RATE_LIMITED: {
    summary: 'the command ran as often in the last minute as it may, for all requesters together (`snapshot` 12, `clip` 6, `diag` 2 a minute)',
    remedy: 'ask again in a minute',
  },
  COMMAND_BUSY: {
    summary: 'the command is already running and may run only once at a time (`diag`)',
    remedy: 'wait for its answer, then ask again',
  },
  COMMAND_TOO_FAR_AHEAD: {
    summary: 'a `clip` whose end lies more than `clips.maxSeconds` in the future (the request would wait that long for the recording)',
    remedy: 'ask for a clip that ends sooner, or ask again later',
  },
  COMMAND_BAD_ARGS: {
    summary: 'the command\'s `args` do not fit it (a time that is not epoch ms or ISO 8601, `to` not after `from`, a missing or wrong argument)',
    remedy: 'see docs/provisioning.md for the arguments of the command',
  },
  COMMAND_STALE: {
    summary: 'the signed command\'s `ts` is not within `provisioning.maxClockSkewSeconds` of the gateway clock',
    remedy: 'check NTP on the gateway and the operator machine; sign a fresh command',
  },
  COMMAND_OUT_OF_ORDER: {
    summary: 'the signed command is older, by more than `maxClockSkewSeconds`, than the newest command already accepted from the same key; that mark is persisted and does not move back with the gateway clock, so a captured command cannot be replayed after the clock was set back',
    remedy: 'sign a fresh command; check NTP on the gateway',
  },
  COMMAND_REPLAYED: {
    summary: 'the signed command\'s nonce was already seen within the clock-skew window',
    remedy: 'sign a fresh command with a new nonce',
  },
  COMMAND_NONCE_FLOOD: {
    summary: 'too many signed commands within the clock-skew window',
    remedy: 'retry later',
  },
  COMMAND_FAILED: {
    summary: 'the command itself failed for a reason without its own code (otherwise the runtime\'s own code is answered)',
    remedy: 'the message says why',
  },
  REQUEST_TOO_LARGE: {
    summary: 'the request is larger than `provisioning.maxMessageBytes`',
    remedy: 'send smaller arguments',
  },
  REQUEST_MALFORMED: {
    summary: 'the request is not JSON, has no string `id` or a non-object `args`, or its signed claims are incomplete',
    remedy: 'send `{"id": "...", "args": {...}}` or a signed request from `edge-agent request`',
  },
  REQUEST_WRONG_GATEWAY: {
    summary: 'the signed request names another gateway (the gateway is inside the signature)',
    remedy: 'sign it for this gateway',
  },
  REQUEST_WRONG_COMMAND: {
    summary: 'the signed request names another command than the topic it came on (the command name is inside the signature)',
    remedy: 'send it to `request/<the command it names>`',
  },
  BOOTSTRAP_UNREADABLE: {
    summary: 'the `--bootstrap` file cannot be read',
    remedy: 'check the path given with `--bootstrap`',
  },
  BOOTSTRAP_INVALID: {
    summary: 'a trusted key in the bootstrap file is not a PEM public key (a bootstrap file that fails its schema is `CONFIG_INVALID`)',
    remedy: 'paste the content of `fleet.pub`',
  },
  LAST_GOOD_UNREADABLE: {
    summary: 'the last-good config in `dataDir` cannot be read',
    remedy: 'check that `gateway.dataDir` is readable by the agent user',
  },
  LAST_GOOD_CORRUPT: {
    summary: 'a last-good config in `dataDir` (the newest or the previous) does not parse or fails THE schema even after renamed keys were moved; the agent starts on the next config in line (previous last-good, config file, bootstrap)',
    remedy: 'push a new desired config; the message names the file and the failing keys',
  },
  PROVISIONING_STATE_UNREADABLE: {
    summary: 'the highest desired-config version the gateway has used (`dataDir/provisioning/state.json`, or a last-good file when that is missing) exists but does not read; desired configs are refused rather than risk taking an old signed one again (a floor read earlier in the same run is kept)',
    remedy: 'check the storage and the file named in the message; it may be rewritten as `{"lastHandledVersion": N}` with N the highest version pushed to this gateway',
  },
  LAST_GOOD_WRITE_FAILED: {
    summary: 'an applied config could not be kept as last-good (the config is rolled back: `PROVISIONING_UNHEALTHY`)',
    remedy: 'check free space and rights of `gateway.dataDir`',
  },
} as const satisfies ErrorTable;
