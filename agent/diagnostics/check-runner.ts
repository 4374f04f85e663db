/**
 * Runs check groups concurrently, each under its own deadline, so one dead broker or camera costs
 * its timeout, not the sum of everyone's. A group declares its steps up front; steps it did not
 * report when its deadline passes are reported for it (the running one as timed out, the rest as
 * not attempted), so the report always lists every check.
 */
import type { CheckResult, CheckStatus } from './report-schema.js';

export type Measured = number | string | boolean | null;

export interface Outcome {
  status: CheckStatus;
  value: Measured;
  unit?: string;
  detail?: string;
  /** Required for warn and fail. */
  remedy?: string;
}

export interface StepDecl {
  id: string;
  title: string;
}

export interface Reporter {
  /** Records a step's outcome (the first report of a step wins). */
  report(id: string, outcome: Outcome): void;
  /** Marks every still-unreported step as skipped for this reason (after an earlier step failed). */
  skipRest(reason: string): void;
}

export interface CheckGroup {
  group: string;
  timeoutMs: number;
  /** What a technician should do when the whole group ran out of time. */
  timeoutRemedy: string;
  steps: StepDecl[];
  run(r: Reporter, signal: AbortSignal): Promise<void>;
}

export const pass = (value: Measured, detail?: string, unit?: string): Outcome => ({ status: 'pass', value, detail, unit });
export const warn = (value: Measured, detail: string, remedy: string, unit?: string): Outcome => ({ status: 'warn', value, detail, remedy, unit });
export const fail = (value: Measured, detail: string, remedy: string, unit?: string): Outcome => ({ status: 'fail', value, detail, remedy, unit });
export const skip = (detail: string): Outcome => ({ status: 'skip', value: null, detail });

function toResult(group: string, step: StepDecl, o: Outcome, durationMs: number): CheckResult {
  const base = { id: step.id, group, title: step.title, value: o.value, durationMs: Math.round(durationMs) };
  const extra = { ...(o.unit ? { unit: o.unit } : {}), ...(o.detail ? { detail: o.detail } : {}) };
  if (o.status === 'warn' || o.status === 'fail') {
    return { ...base, ...extra, status: o.status, remedy: o.remedy ?? 'see docs/diagnostics.md' };
  }
  return { ...base, ...extra, status: o.status, ...(o.remedy ? { remedy: o.remedy } : {}) };
}

export async function runGroup(g: CheckGroup): Promise<CheckResult[]> {
  const t0 = Date.now();
  let last = t0;
  const done = new Map<string, CheckResult>();
  const stepOf = (id: string): StepDecl => g.steps.find((s) => s.id === id) ?? { id, title: id };
  const reporter: Reporter = {
    report(id, outcome) {
      if (done.has(id)) return;
      const now = Date.now();
      done.set(id, toResult(g.group, stepOf(id), outcome, now - last));
      last = now;
    },
    skipRest(reason) {
      for (const s of g.steps) if (!done.has(s.id)) reporter.report(s.id, skip(reason));
    },
  };
  const ac = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), g.timeoutMs)));
  try {
    const r = await Promise.race([g.run(reporter, ac.signal).then(() => 'done' as const), deadline]);
    if (r === 'timeout') {
      ac.abort();
      const pending = g.steps.filter((s) => !done.has(s.id));
      if (pending.length) {
        reporter.report(pending[0].id, fail(null, `did not finish within ${g.timeoutMs / 1000} s`, g.timeoutRemedy));
        reporter.skipRest(`not attempted: ${pending[0].id} timed out`);
      }
    }
  } catch (err) {
    // A check's own bug must not hide the others: report it on the step that was running.
    const pending = g.steps.filter((s) => !done.has(s.id));
    if (pending.length) {
      reporter.report(pending[0].id, fail(null, `check crashed: ${err instanceof Error ? err.message : String(err)}`, 'report this to the agent maintainers with the output of `edge-agent diag --json`'));
      reporter.skipRest(`not attempted: ${pending[0].id} crashed`);
    }
  } finally {
    clearTimeout(timer);
  }
  // Steps a group forgot to report are a bug in that group; say so rather than drop them silently.
  for (const s of g.steps) if (!done.has(s.id)) reporter.report(s.id, skip('not reported by its check'));
  return g.steps.map((s) => done.get(s.id)).filter((r): r is CheckResult => r !== undefined);
}
