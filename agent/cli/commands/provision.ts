import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Command } from 'commander';
import { formatProblems, validateConfig } from '../../config/validate.js';
import { AgentError } from '../../core/errors.js';
import { loadFleetKey } from '../../provisioning/operator/fleet-keys.js';
import { fetchPinnedGatewayKey, pushDesiredConfig } from '../../provisioning/operator/operator-client.js';
import { encryptSecretsIn } from '../../provisioning/secret-box.js';
import { addBrokerOptions, connectionFrom, failWith, type BrokerOpts } from '../../provisioning/operator/cli-options.js';

interface PushOpts extends BrokerOpts {
  key: string;
  config: string;
  version: string;
  expiresIn?: string;
  encryptTo?: string;
  encryptSecrets?: boolean;
  gatewayKeys: string;
}

/** Where `--encrypt-secrets` pins gateway keys unless told otherwise (like ssh's known_hosts). */
function defaultGatewayKeysDir(): string {
  return path.join(process.env.XDG_CONFIG_HOME || path.join(os.homedir(), '.config'), 'edge-agent', 'gateway-keys');
}

function readConfig(file: string): unknown {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new AgentError('CONFIG_UNREADABLE', `cannot read ${file} as JSON: ${(err as Error).message}`, 'check --config');
  }
  const r = validateConfig(raw);
  if (!r.ok) throw new AgentError('CONFIG_INVALID', `${file} is invalid:\n${formatProblems(r.problems)}`, 'fix it before pushing; the gateway would reject it');
  return raw;
}

/**
 * `edge-agent provision push`: sign and publish a desired config (retained), wait for the gateway's
 * report about that version, print it; exit 0 only when it was applied.
 */
export function register(program: Command): void {
  // `--version N` belongs to `provision push`: root options (edge-agent --version) only before the subcommand.
  program.enablePositionalOptions();
  const provision = program.command('provision').description('operator: remote provisioning');
  addBrokerOptions(
    provision
      .command('push')
      .description('sign and publish a desired config; wait for the gateway to apply it')
      .requiredOption('--key <file>', 'fleet private key (fleet.key)')
      .requiredOption('--config <file>', 'config file (JSON) for the gateway')
      .requiredOption('--version <n>', 'config version: an integer higher than the gateway\'s current one')
      .option('--expires-in <seconds>', 'the gateway refuses the config after this long')
      .option('--encrypt-to <file>', 'gateway public key (PEM): encrypt inline passwords to it')
      .option('--encrypt-secrets', 'encrypt inline passwords to the public key in the gateway\'s retained status, if it matches the pinned one')
      .option('--gateway-keys <dir>', 'pinned gateway keys (<gateway>.pem; a receiver\'s <out>/keys works): the first key seen is pinned, another one refused', defaultGatewayKeysDir()),
  ).action(async (opts: PushOpts) => {
    try {
      const version = Number(opts.version);
      if (!Number.isSafeInteger(version) || version < 1) throw new AgentError('OPERATOR_BAD_ARGS', '--version must be a positive integer', 'e.g. --version 7');
      let config = readConfig(opts.config);
      const conn = connectionFrom(opts);
      if (opts.encryptTo) config = encryptSecretsIn(config, readFileSync(opts.encryptTo, 'utf8'));
      else if (opts.encryptSecrets) config = encryptSecretsIn(config, await fetchPinnedGatewayKey(conn, opts.gatewayKeys));
      const expiresAt = opts.expiresIn ? new Date(Date.now() + Number(opts.expiresIn) * 1000).toISOString() : undefined;
      const report = await pushDesiredConfig(conn, loadFleetKey(opts.key), { config, version, expiresAt });
      const line = `${opts.gateway}: version ${version} ${report.status}${report.error ? ` (${report.error.code}: ${report.error.message})` : ''}; running version ${report.runningVersion}, ${report.configHash}\n`;
      if (report.status === 'applied') process.stdout.write(line);
      else {
        process.stderr.write(line);
        process.exitCode = 1;
      }
    } catch (err) {
      failWith(err);
    }
  });
}
