import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { AGENT_ARGV } from './agent-cli.js';
import { REPO_ROOT } from './tmp.js';

/** A wall clock for agent processes under test, set by the test (see shifted-clock-preload.ts). */
export class ShiftedClock {
  constructor(readonly file: string) {
    this.set(0);
  }

  /** Shifts the agent's wall clock by `offsetMs` from the real time (negative: set back). */
  set(offsetMs: number): void {
    writeFileSync(this.file, String(offsetMs));
  }

  /** Starts `edge-agent <args>` (the shipped CLI) on this clock; output is collected on `.log`. */
  startCli(args: string[]): ChildProcess & { log: string } {
    const [importFlag, tsx, main] = AGENT_ARGV;
    const argv = [importFlag, tsx, '--import', path.join(REPO_ROOT, 'test/support/shifted-clock-preload.ts'), main, ...args];
    const proc = spawn(process.execPath, argv, { cwd: REPO_ROOT, env: { ...process.env, EDGE_TEST_CLOCK_FILE: this.file }, stdio: ['ignore', 'pipe', 'pipe'] }) as ChildProcess & { log: string };
    proc.log = '';
    proc.stdout?.on('data', (d: Buffer) => (proc.log += d.toString()));
    proc.stderr?.on('data', (d: Buffer) => (proc.log += d.toString()));
    return proc;
  }
}
