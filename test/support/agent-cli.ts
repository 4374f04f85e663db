import { spawn, spawnSync, type ChildProcess, type SpawnSyncReturns } from 'node:child_process';
import path from 'node:path';
import { REPO_ROOT } from './tmp.js';

const TSX = ['--import', 'tsx'];
const MAIN = path.join(REPO_ROOT, 'agent/cli/main.ts');
/** Runs `edge-agent` from source (tsx), exactly as the built binary would run. */
export const AGENT_ARGV = [...TSX, MAIN];

export function runCli(args: string[], opts: { env?: NodeJS.ProcessEnv; timeoutMs?: number; input?: string } = {}): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, [...AGENT_ARGV, ...args], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    env: { ...process.env, ...opts.env },
    timeout: opts.timeoutMs ?? 120000,
    input: opts.input,
  });
}

/**
 * Starts `edge-agent <args>` as a long-running process; output is collected on `.log`. `preload`: a
 * module node imports before the agent (a test's shifted clock, say).
 */
export function startCli(args: string[], env: NodeJS.ProcessEnv = {}, preload?: string): ChildProcess & { log: string } {
  const proc = spawn(process.execPath, [...TSX, ...(preload ? ['--import', preload] : []), MAIN, ...args], { cwd: REPO_ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] }) as ChildProcess & { log: string };
  proc.log = '';
  proc.stdout?.on('data', (d: Buffer) => (proc.log += d.toString()));
  proc.stderr?.on('data', (d: Buffer) => (proc.log += d.toString()));
  return proc;
}

/** Sends a signal and resolves with the exit code once the process is gone. */
export function stopProcess(proc: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> {
  if (proc.exitCode !== null || proc.signalCode !== null) return Promise.resolve(proc.exitCode);
  return new Promise((resolve) => {
    proc.once('exit', (code) => resolve(code));
    proc.kill(signal);
  });
}
