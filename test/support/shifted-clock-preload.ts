/**
 * Preloaded (`node --import`) into an agent process under test: shifts the wall clock (Date, Date.now)
 * by the number of milliseconds in the file EDGE_TEST_CLOCK_FILE, re-read at most every 100 ms, so a
 * test can set a gateway's clock back or forward while it runs (what a box without RTC, or a spoofed
 * NTP, does) without touching the host clock or the agent's code. Timers and monotonic time stay real.
 */
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';

const file = process.env.EDGE_TEST_CLOCK_FILE;
if (file) {
  const RealDate = Date;
  let offset = 0;
  let readAt = -Infinity;
  const currentOffset = (): number => {
    if (performance.now() - readAt > 100) {
      readAt = performance.now();
      try {
        offset = Number(readFileSync(file, 'utf8').trim()) || 0;
      } catch { /* keep the last offset */ }
    }
    return offset;
  };
  class ShiftedDate extends RealDate {
    constructor(...args: unknown[]) {
      if (args.length === 0) super(RealDate.now() + currentOffset());
      else super(...(args as [string]));
    }
    static override now(): number {
      return RealDate.now() + currentOffset();
    }
  }
  globalThis.Date = ShiftedDate as DateConstructor;
}
