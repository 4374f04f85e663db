import type { Command } from 'commander';
import { AgentError } from '../../core/errors.js';
import { loadFleetKey } from '../../provisioning/operator/fleet-keys.js';
import { sendRequest } from '../../provisioning/operator/operator-client.js';
import { addBrokerOptions, connectionFrom, failWith, type BrokerOpts } from '../../provisioning/operator/cli-options.js';

/**
 * `edge-agent request <name> [json args]`: sign (with --key) and send a command with an MQTT 5
 * response topic + correlation data; print the answer; exit 0 only on status "ok".
 */
export function register(program: Command): void {
  addBrokerOptions(
    program
      .command('request')
      .description('operator: send a command to a gateway (config/get, camera/enable, camera/disable, snapshot, clip, diag, restart)')
      .argument('<name>', 'command name')
      .argument('[args]', 'JSON object of arguments, e.g. \'{"camera":"cam-1"}\'')
      .option('--key <file>', 'fleet or reader private key; every command but config/get must be signed (changes: a fleet key)'),
  ).action(async (name: string, argsText: string | undefined, opts: BrokerOpts & { key?: string }) => {
    try {
      let args: Record<string, unknown> = {};
      if (argsText !== undefined) {
        let parsed: unknown;
        try {
          parsed = JSON.parse(argsText);
        } catch {
          throw new AgentError('OPERATOR_BAD_ARGS', 'args must be a JSON object', 'e.g. \'{"camera":"cam-1"}\'');
        }
        if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new AgentError('OPERATOR_BAD_ARGS', 'args must be a JSON object', 'e.g. \'{"camera":"cam-1"}\'');
        args = parsed as Record<string, unknown>;
      }
      const answer = await sendRequest(connectionFrom(opts), opts.key ? loadFleetKey(opts.key) : undefined, name, args);
      process.stdout.write(JSON.stringify(answer, null, 2) + '\n');
      if (answer.status !== 'ok') process.exitCode = 1;
    } catch (err) {
      failWith(err);
    }
  });
}
