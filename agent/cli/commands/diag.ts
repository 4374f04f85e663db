import type { Command } from 'commander';
import { AgentError } from '../../core/errors.js';
import { createLogger } from '../../core/logger.js';
import { chooseStartupConfig } from '../../runtime/startup-config.js';
import { DiagReportSchema, exitCodeOf, formatReport, runDiagnostics } from '../../diagnostics/index.js';

const DEFAULT_CONFIG = '/etc/edge-agent/config.json';

/**
 * `edge-agent diag [--config FILE] [--json]`: what a field technician runs on a box. Exit 0 when all
 * checks pass, 1 with warnings, 2 with failures (or when the config cannot be read).
 */
export function register(program: Command): void {
  program
    .command('diag')
    .description('check the box, clock, uplink, cameras, GStreamer, detector and storage; exit 0 pass, 1 warnings, 2 failures')
    .option('-c, --config <file>', 'config file', process.env.EDGE_AGENT_CONFIG ?? DEFAULT_CONFIG)
    .option('-b, --bootstrap <file>', 'bootstrap file, used like `run` does when there is no config file yet')
    .option('--json', 'print one JSON document (schema: docs/diagnostics.md)')
    .option('--only <groups>', 'comma-separated: system,clock,uplink,cameras,gstreamer,clips,detector,storage')
    .option('--schema', 'print the JSON Schema of the --json document and exit')
    .action(async (opts: { config: string; bootstrap?: string; json?: boolean; only?: string; schema?: boolean }) => {
      if (opts.schema) {
        process.stdout.write(JSON.stringify(DiagReportSchema, null, 2) + '\n');
        return;
      }
      // The configuration the agent runs on (last-good in dataDir > file > bootstrap), not just the file.
      let chosen;
      try {
        chosen = chooseStartupConfig(opts, createLogger('warn', 'diag'));
      } catch (err) {
        if (!(err instanceof AgentError)) throw err;
        process.stderr.write(`${err.code}: ${err.message}\n${err.remedy ? `remedy: ${err.remedy}\n` : ''}`);
        process.exitCode = 2;
        return;
      }
      const groups = ['system', 'clock', 'uplink', 'cameras', 'gstreamer', 'clips', 'detector', 'storage'] as const;
      const only = opts.only?.split(',').map((s) => s.trim());
      const bad = only?.filter((g) => !(groups as readonly string[]).includes(g));
      if (bad?.length) throw new Error(`--only: unknown group(s) ${bad.join(', ')}; use ${groups.join(',')}`);
      const report = await runDiagnostics(chosen.config, { only: only as Array<(typeof groups)[number]> | undefined, configSource: chosen.source });
      process.stdout.write(opts.json ? JSON.stringify(report, null, 2) + '\n' : formatReport(report, { colour: Boolean(process.stdout.isTTY) && !process.env.NO_COLOR }));
      process.exitCode = exitCodeOf(report);
    });
}
