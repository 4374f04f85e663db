/** The human form of a diag report: a table per group, remedies under what failed, one verdict line. */
import type { CheckResult, DiagReport } from './report-schema.js';

const COLOURS = { pass: '\x1b[32m', warn: '\x1b[33m', fail: '\x1b[31m', skip: '\x1b[90m', bold: '\x1b[1m', reset: '\x1b[0m' } as const;
const LABEL = { pass: 'PASS', warn: 'WARN', fail: 'FAIL', skip: 'skip' } as const;

function value(c: CheckResult): string {
  if (c.value === null) return '-';
  return `${String(c.value)}${c.unit ? ` ${c.unit}` : ''}`;
}

function pad(s: string, n: number): string {
  return s.length >= n ? s : s + ' '.repeat(n - s.length);
}

export function formatReport(report: DiagReport, opts: { colour: boolean; width?: number }): string {
  const paint = (k: keyof typeof COLOURS, s: string): string => (opts.colour ? `${COLOURS[k]}${s}${COLOURS.reset}` : s);
  const idW = Math.min(34, Math.max(...report.checks.map((c) => c.id.length), 5));
  const valW = Math.min(18, Math.max(...report.checks.map((c) => value(c).length), 5));
  const lines: string[] = [paint('bold', `edge-agent diag  ${report.gatewayId} on ${report.hostname}  (agent ${report.agentVersion}, ${report.startedAt}, ${(report.durationMs / 1000).toFixed(1)} s)`)];
  if (report.configSource) lines.push(`config: ${report.configSource}`);
  lines.push('');
  lines.push(paint('bold', `${pad('STATUS', 6)}  ${pad('CHECK', idW)}  ${pad('VALUE', valW)}  DETAIL`));
  let group = '';
  for (const c of report.checks) {
    if (c.group !== group) {
      if (group) lines.push('');
      group = c.group;
    }
    lines.push(`${paint(c.status, pad(LABEL[c.status], 6))}  ${pad(c.id, idW)}  ${pad(value(c), valW)}  ${c.detail ?? c.title}`);
    if (c.remedy && (c.status === 'warn' || c.status === 'fail')) lines.push(`${' '.repeat(8 + idW + 2)}${paint(c.status, '→')} ${c.remedy}`);
  }
  lines.push('', paint(report.verdict, paint('bold', report.summary)));
  return lines.join('\n') + '\n';
}
