import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { AgentError } from '../../core/errors.js';
import { formatMatch, parseQuery, queryEvents } from '../../receiver/event-query.js';
import { GatewayKeyPins } from '../../identity/gateway-key-pins.js';
import { printable } from '../../receiver/printable.js';
import { Receiver } from '../../receiver/receiver.js';

interface ReceiveOpts {
  broker?: string;
  query?: string;
  gateway: string;
  prefix: string;
  out: string;
  clientId?: string;
  sessionExpiry: string;
  protocol: string;
  username?: string;
  passwordEnv?: string;
  passwordFile?: string;
  ca?: string;
  cert?: string;
  key?: string;
  insecure?: boolean;
  incompleteTimeout: string;
  gatewayKeys?: string;
  trustKey?: string[];
  maxFileMb: string;
  maxPendingMb: string;
  maxOpenTransfers: string;
  maxTransferAge: string;
}

/**
 * `edge-agent receive`: the reference consumer on the central side. Prints one line per event, clip,
 * rejected clip and seq gap on stdout; connection news on stderr. Runs until SIGINT/SIGTERM.
 * With `--query` it instead searches what --out holds and prints the matching objects.
 */
export function register(program: Command): void {
  program
    .command('receive')
    .description('central side: store events (deduplicated), reassemble and verify clips, report seq gaps')
    .option('--broker <url>', 'broker URL, e.g. mqtts://broker.example:8883 (required unless --query)')
    .requiredOption('--out <dir>', 'output folder: events.jsonl, gaps.jsonl, clips/')
    .option('--query <terms>', 'search --out instead of receiving: key=value terms joined by commas (label, colour, direction, zone, line[:ab|ba], camera, from, to), e.g. label=car,colour=red,direction=up')
    .option('--gateway <id>', "one gateway id, or '+' for all", '+')
    .option('--prefix <prefix>', 'topic prefix of the gateways', 'edge')
    .option('--client-id <id>', 'fixed MQTT client id (the broker keeps its session); default edge-receiver-<host>')
    .option('--session-expiry <seconds>', 'how long the broker keeps the session while the receiver is away', '604800')
    .option('--protocol <4|5>', 'MQTT protocol version', '5')
    .option('--username <name>', 'MQTT user name')
    .option('--password-env <NAME>', 'read the MQTT password from this environment variable')
    .option('--password-file <file>', 'read the MQTT password from this file')
    .option('--ca <file>', 'CA certificate (PEM) of the broker')
    .option('--cert <file>', 'client certificate (PEM)')
    .option('--key <file>', 'client private key (PEM)')
    .option('--insecure', 'do not verify the broker certificate (testing only)')
    .option('--incomplete-timeout <seconds>', 'reject a clip that got no chunk for this long', '900')
    .option('--gateway-keys <file|dir>', 'enrol gateway public keys: a <gateway>.pem file or a folder of them, pinned for gateways not pinned yet')
    .option('--trust-key <gateway-and-pem...>', 're-key: pin the key in PEM file for GATEWAY (replacing its pin), e.g. --trust-key gw-a keys/offered/gw-a.pem; without --broker it exits after')
    .option('--max-file-mb <n>', 'largest file accepted', '1024')
    .option('--max-pending-mb <n>', 'per gateway: bytes its unfinished transfers may hold', '2048')
    .option('--max-open-transfers <n>', 'per gateway: unfinished transfers at once', '32')
    .option('--max-transfer-age <seconds>', 'drop a transfer still unfinished this long after its first piece', '21600')
    .action(async (opts: ReceiveOpts) => {
      try {
        if (opts.query !== undefined) {
          const matches = queryEvents(opts.out, parseQuery(opts.query));
          for (const m of matches) process.stdout.write(`${formatMatch(m)}\n`);
          process.stderr.write(`${matches.length} object(s) match\n`);
          return;
        }
        if (opts.trustKey) {
          trustKeys(opts.out, opts.trustKey);
          if (!opts.broker) return;
        }
        if (!opts.broker) throw new AgentError('RECEIVER_BAD_OPTION', '--broker is required (unless --query)', 'give the broker URL, e.g. --broker mqtts://broker.example:8883');
        const broker = opts.broker;
        const receiver = new Receiver({
          brokerUrl: broker, outDir: opts.out, gateway: opts.gateway, prefix: opts.prefix, clientId: opts.clientId,
          sessionExpirySeconds: positive(opts.sessionExpiry, '--session-expiry'),
          protocolVersion: opts.protocol === '4' ? 4 : 5,
          username: opts.username, password: password(opts),
          tls: opts.ca || opts.cert || opts.key || opts.insecure ? { ca: opts.ca, cert: opts.cert, key: opts.key, rejectUnauthorized: !opts.insecure } : undefined,
          incompleteTimeoutMs: positive(opts.incompleteTimeout, '--incomplete-timeout') * 1000,
          gatewayKeys: opts.gatewayKeys,
          limits: {
            maxFileBytes: positive(opts.maxFileMb, '--max-file-mb', 'MiB') * 1024 ** 2,
            maxPendingBytes: positive(opts.maxPendingMb, '--max-pending-mb', 'MiB') * 1024 ** 2,
            maxOpenTransfers: positive(opts.maxOpenTransfers, '--max-open-transfers', 'transfers'),
            maxTransferAgeMs: positive(opts.maxTransferAge, '--max-transfer-age') * 1000,
          },
        });
        // Everything printed may carry text from the wire: escaped, so no publisher can write to the terminal.
        const out = (line: string): void => void process.stdout.write(printable(line) + '\n');
        const err = (line: string): void => void process.stderr.write(printable(line) + '\n');
        receiver.on('event', ({ gateway, event: e }) => out(`event ${gateway} seq=${String(e.seq ?? '-')} id=${String(e.id ?? '-')} ${String(e.type ?? '')} camera=${String(e.camera ?? '-')} ${String(e.label ?? '')} ${String(e.objectId ?? '')}`.trimEnd()));
        receiver.on('gap', (g) => out(`gap ${g.gateway} missing seq ${g.fromSeq}..${g.toSeq} (${g.toSeq - g.fromSeq + 1})`));
        receiver.on('clip', (c) => out(`clip ${c.gateway} ${c.clipId} ok ${c.bytes} bytes camera=${c.meta.camera} event=${c.meta.eventId ?? '-'} -> ${c.file}`));
        receiver.on('rejected', (r) => out(`clip ${r.gateway} ${r.clipId} REJECTED ${r.code}: ${r.reason}`));
        receiver.on('duplicate', (d) => err(`duplicate event ${d.gateway} id=${d.id} dropped`));
        receiver.on('connected', (c) => err(`connected to ${broker} as ${receiver.clientId} (session ${c.sessionPresent ? 'resumed' : 'new'})`));
        receiver.on('disconnected', () => err('disconnected; reconnecting'));
        receiver.on('status', (s) => err(`status ${s.gateway}: state=${s.state} publicKey=${s.hasPublicKey ? 'yes' : 'no'}`));
        receiver.on('keyPinned', (k) => err(`key ${k.gateway} pinned ${k.fingerprint} (first seen)`));
        receiver.on('keyRefused', (k) => out(`key ${k.gateway} REFUSED GATEWAY_KEY_MISMATCH: status offers ${k.offered}, pinned is ${k.pinned}; offered key saved as ${k.savedAs}`));
        receiver.on('warning', (w) => err(`warning: ${w.message}`));
        // Listening before start(): a stop asked for while connecting still ends cleanly (exit 0, summary written).
        const stopAsked = new Promise<void>((resolve) => {
          process.once('SIGINT', resolve);
          process.once('SIGTERM', resolve);
        });
        await Promise.race([receiver.start(), stopAsked]);
        await stopAsked;
        await receiver.stop();
        const s = receiver.stats();
        err(`stopped: ${s.events} event(s), ${s.duplicates} duplicate(s), ${s.clips} clip(s), ${s.rejected} rejected, ${s.pendingClips} incomplete`);
      } catch (e) {
        if (!(e instanceof AgentError)) throw e;
        process.stderr.write(`${e.code}: ${e.message}${e.remedy ? ` (${e.remedy})` : ''}\n`);
        process.exitCode = 1;
      }
    });
}

/** `--trust-key GW PEM [GW PEM …]`: the operator's explicit re-key, written to <out>/keys before anything is received. */
function trustKeys(outDir: string, args: string[]): void {
  if (args.length % 2 !== 0) throw new AgentError('RECEIVER_BAD_OPTION', `--trust-key takes a gateway id and a PEM file, got ${args.join(' ')}`, 'e.g. --trust-key gw-a keys/offered/gw-a.pem');
  const pins = new GatewayKeyPins(path.join(outDir, 'keys'));
  for (let i = 0; i < args.length; i += 2) {
    const [gateway, file] = [args[i], args[i + 1]];
    let pem: string;
    try {
      pem = readFileSync(file, 'utf8');
    } catch (e) {
      throw new AgentError('RECEIVER_BAD_OPTION', `--trust-key ${gateway}: cannot read ${file}: ${(e as Error).message}`);
    }
    const r = pins.trust(gateway, pem);
    process.stderr.write(`key ${gateway} pinned ${r.fingerprint} by the operator (was ${r.previous ?? 'none'})\n`);
  }
}

function positive(text: string, what: string, unit = 'seconds'): number {
  const n = Number(text);
  if (!Number.isFinite(n) || n < 0) throw new AgentError('RECEIVER_BAD_OPTION', `${what} must be a number of ${unit}, got ${text}`);
  return n;
}

function password(opts: ReceiveOpts): string | undefined {
  if (opts.passwordEnv) {
    const v = process.env[opts.passwordEnv];
    if (v === undefined) throw new AgentError('RECEIVER_BAD_OPTION', `environment variable ${opts.passwordEnv} is not set`);
    return v;
  }
  if (opts.passwordFile) {
    try {
      return readFileSync(opts.passwordFile, 'utf8').trim();
    } catch (e) {
      throw new AgentError('RECEIVER_BAD_OPTION', `cannot read --password-file ${opts.passwordFile}: ${(e as Error).message}`);
    }
  }
  return undefined;
}
