import type { Command } from 'commander';
import { AgentError } from '../../core/errors.js';
import { generateFleetKeys } from '../../provisioning/operator/fleet-keys.js';

/** `edge-agent keys generate --out DIR`: a fleet operator Ed25519 key pair. */
export function register(program: Command): void {
  const keys = program.command('keys').description('fleet operator keys');
  keys
    .command('generate')
    .description('write DIR/fleet.key (0600, keep it secret) and DIR/fleet.pub (put it in gateways\' trust store)')
    .requiredOption('--out <dir>', 'folder for fleet.key and fleet.pub')
    .action((opts: { out: string }) => {
      try {
        const r = generateFleetKeys(opts.out);
        process.stdout.write(`private key: ${r.keyFile} (mode 0600)\npublic key:  ${r.pubFile}\nkey id:      ${r.kid}\n`);
      } catch (err) {
        if (!(err instanceof AgentError)) throw err;
        process.stderr.write(`${err.code}: ${err.message}${err.remedy ? ` (${err.remedy})` : ''}\n`);
        process.exitCode = 1;
      }
    });
}
