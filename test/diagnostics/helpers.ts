import { writeFileSync } from 'node:fs';
import path from 'node:path';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { validateConfig } from '../../agent/config/validate.js';
import { exitCodeOf, runDiagnostics, type DiagOptions } from '../../agent/diagnostics/run-diagnostics.js';
import { DiagReportSchema, type DiagReport } from '../../agent/diagnostics/report-schema.js';
import { runCli } from '../support/agent-cli.js';

export const CLIP = 'intel_car-detection.mp4';

const ajv = new Ajv({ allErrors: true, strict: false });
addFormats(ajv);
export const validateReport = ajv.compile<DiagReport>(DiagReportSchema);

export function writeConfig(dir: string, config: object, name = 'config.json'): string {
  const file = path.join(dir, name);
  writeFileSync(file, JSON.stringify(config, null, 2));
  return file;
}

export interface DiagRun {
  status: number | null;
  stdout: string;
  stderr: string;
  report?: DiagReport;
}

/** Runs `edge-agent diag` as a technician would (a separate process), JSON or human output. */
export function runDiag(configFile: string, args: string[] = [], env: NodeJS.ProcessEnv = {}): DiagRun {
  const r = runCli(['diag', '--config', configFile, ...args], { env: { NO_COLOR: '1', ...env }, timeoutMs: 150000 });
  const out: DiagRun = { status: r.status, stdout: r.stdout, stderr: r.stderr };
  if (args.includes('--json')) out.report = JSON.parse(r.stdout) as DiagReport;
  return out;
}

export function check(report: DiagReport, id: string): DiagReport['checks'][number] {
  const c = report.checks.find((x) => x.id === id);
  if (!c) throw new Error(`no check ${id} in ${report.checks.map((x) => x.id).join(', ')}`);
  return c;
}

/** runDiagnostics in this process (no CLI start-up): for checks whose far end is another process. */
export async function diagInProcess(config: object, only: DiagOptions['only']): Promise<{ report: DiagReport; exitCode: number }> {
  const v = validateConfig(config);
  if (!v.ok) throw new Error(JSON.stringify(v.problems));
  const report = await runDiagnostics(v.config, { only });
  return { report, exitCode: exitCodeOf(report) };
}
