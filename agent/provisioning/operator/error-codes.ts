import type { ErrorTable } from '../../core/error-table.js';

/** Codes of the operator tools (`edge-agent keys`, `provision push`, `request`; agent/provisioning/operator/). */
export const OperatorErrorCodes = {
  OPERATOR_BAD_ARGS: {
    summary: 'an option of an operator command is unusable (`--version`, `--timeout`, `--password-file`, `args` not a JSON object)',
    remedy: 'the remedy gives an example, e.g. `--version 7`',
  },
  OPERATOR_BROKER_UNREACHABLE: {
    summary: 'the operator tool cannot connect to the broker',
    remedy: 'check `--broker` and the TLS/credential options',
  },
  OPERATOR_TIMEOUT: {
    summary: 'the gateway did not answer within `--timeout` (its retained status with its key, `config/reported` for the pushed version, or a command\'s answer)',
    remedy: 'is the gateway online? check its status topic',
  },
  OPERATOR_TLS_FILE_UNREADABLE: {
    summary: 'a CA, certificate or key file given to the operator tool cannot be read',
    remedy: 'check the path',
  },
  FLEET_KEY_EXISTS: {
    summary: '`edge-agent keys generate` would overwrite an existing fleet key',
    remedy: 'choose another `--out` folder; an existing fleet key is never overwritten',
  },
  FLEET_KEY_UNREADABLE: {
    summary: 'the fleet private key cannot be read or is not Ed25519',
    remedy: 'pass the `fleet.key` written by `edge-agent keys generate`',
  },
} as const satisfies ErrorTable;
