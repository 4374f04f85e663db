import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { AgentError } from '../../core/errors.js';
import type { OperatorConnection } from './operator-client.js';

/** Broker options shared by `provision push` and `request`. */
export function addBrokerOptions(cmd: Command): Command {
  return cmd
    .requiredOption('--broker <url>', 'broker URL, e.g. mqtts://broker.example:8883')
    .requiredOption('--gateway <id>', 'gateway id')
    .option('--prefix <prefix>', 'topic prefix', 'edge')
    .option('--username <name>', 'MQTT user name')
    .option('--password-file <file>', 'file holding the MQTT password (kept off the command line)')
    .option('--ca <file>', 'CA certificate (PEM) of the broker')
    .option('--cert <file>', 'client certificate (PEM)')
    .option('--client-key <file>', 'client private key (PEM)')
    .option('--timeout <seconds>', 'give up waiting for the gateway after this long', '120');
}

export interface BrokerOpts {
  broker: string;
  gateway: string;
  prefix: string;
  username?: string;
  passwordFile?: string;
  ca?: string;
  cert?: string;
  clientKey?: string;
  timeout: string;
}

export function connectionFrom(o: BrokerOpts): OperatorConnection {
  const timeoutMs = Number(o.timeout) * 1000;
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) throw new AgentError('OPERATOR_BAD_ARGS', '--timeout must be a positive number of seconds', 'e.g. --timeout 120');
  let password: string | undefined;
  if (o.passwordFile) {
    try {
      password = readFileSync(o.passwordFile, 'utf8').replace(/\r?\n$/, '');
    } catch (err) {
      throw new AgentError('OPERATOR_BAD_ARGS', `cannot read --password-file ${o.passwordFile}`, 'check the path', { cause: err });
    }
  }
  return { broker: o.broker, gateway: o.gateway, prefix: o.prefix, username: o.username, password, ca: o.ca, cert: o.cert, key: o.clientKey, timeoutMs };
}

/** Prints an AgentError for a human and sets exit code 1; anything else propagates. */
export function failWith(err: unknown): void {
  if (!(err instanceof AgentError)) throw err;
  process.stderr.write(`${err.code}: ${err.message}${err.remedy ? ` (${err.remedy})` : ''}\n`);
  process.exitCode = 1;
}
