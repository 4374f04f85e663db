import { performance } from 'node:perf_hooks';
import { AgentError } from '../core/errors.js';

/** How often a command that costs the box may run, for all requesters together. */
export interface CommandLimit {
  perMinute: number;
  /** At most this many at once (diag starts a decode per camera). */
  concurrent?: number;
}

/**
 * Refuses a command beyond its rate (sliding minute) or concurrency. Counted on the monotonic clock,
 * so setting the wall clock does not refill it; counted only after the signature checked out, so an
 * outsider cannot use up the operators' share.
 */
export class CommandLimiter {
  private readonly started = new Map<string, number[]>();
  private readonly running = new Map<string, number>();

  constructor(private readonly now: () => number = () => performance.now()) {}

  /** Runs `job` within the limit of `name`, or throws COMMAND_RATE_LIMITED / COMMAND_BUSY. */
  async run<T>(name: string, limit: CommandLimit | undefined, job: () => Promise<T>): Promise<T> {
    if (!limit) return job();
    const now = this.now();
    const recent = (this.started.get(name) ?? []).filter((t) => now - t < 60_000);
    const active = this.running.get(name) ?? 0;
    if (limit.concurrent !== undefined && active >= limit.concurrent) {
      throw new AgentError('COMMAND_BUSY', `${name} is already running (${active} at once at most)`, 'wait for its answer, then ask again');
    }
    if (recent.length >= limit.perMinute) {
      throw new AgentError('COMMAND_RATE_LIMITED', `${name} ran ${recent.length} times in the last minute, the most it may`, 'ask again in a minute');
    }
    this.started.set(name, [...recent, now]);
    this.running.set(name, active + 1);
    try {
      return await job();
    } finally {
      this.running.set(name, (this.running.get(name) ?? 1) - 1);
    }
  }
}
