import type { ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { startCli } from './agent-cli.js';
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
    return startCli(args, { EDGE_TEST_CLOCK_FILE: this.file }, path.join(REPO_ROOT, 'test/support/shifted-clock-preload.ts'));
  }
}
