import { runChild } from '../core/child-spawn.js';

export interface ExecResult {
  ok: boolean;
  code: number | null;
  stdout: string;
  stderr: string;
  /** The program is not installed. */
  missing: boolean;
}

/** Runs a program with a timeout; never throws (a missing tool is an answer, not an error). Not a fork of the agent (core/child-spawn.ts). */
export async function run(cmd: string, args: string[], opts: { timeoutMs?: number; env?: NodeJS.ProcessEnv; signal?: AbortSignal } = {}): Promise<ExecResult> {
  const r = await runChild(cmd, args, { timeoutMs: opts.timeoutMs ?? 5000, env: opts.env, signal: opts.signal });
  return { ok: r.code === 0 && !r.killed, code: r.killed ? null : r.code, stdout: r.stdout, stderr: r.stderr, missing: r.missing };
}
