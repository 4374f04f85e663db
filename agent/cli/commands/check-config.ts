import type { Command } from 'commander';
import { ConfigInvalidError, loadConfigFile } from '../../config/load.js';
import { redactSecrets } from '../../config/secrets.js';
import { AgentError } from '../../core/errors.js';

/** `edge-agent check-config FILE`: validate without running. Exit 0 valid, 1 invalid or unreadable. */
export function register(program: Command): void {
  program
    .command('check-config')
    .description('validate a config file against the schema without running')
    .argument('<file>', 'config file (JSON)')
    .option('--print', 'print the config with defaults filled in (secrets redacted)')
    .action((file: string, opts: { print?: boolean }) => {
      try {
        const config = loadConfigFile(file);
        if (opts.print) process.stdout.write(JSON.stringify(redactSecrets(config), null, 2) + '\n');
        else process.stdout.write(`${file}: valid (${config.cameras.length} camera(s))\n`);
      } catch (err) {
        if (err instanceof ConfigInvalidError) {
          process.stderr.write(`${file}: invalid, ${err.problems.length} problem(s):\n`);
          for (const p of err.problems) process.stderr.write(`  ${p.path}: ${p.reason}\n`);
        } else if (err instanceof AgentError) {
          process.stderr.write(`${err.code}: ${err.message}\n`);
        } else throw err;
        process.exitCode = 1;
      }
    });
}
