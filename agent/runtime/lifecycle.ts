import { AgentError, toErrorInfo } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import type { ApplyOutcome, Subsystem } from '../core/subsystem.js';
import type { AgentConfig } from '../config/schema/index.js';

/**
 * Runs an ordered list of subsystems: `start` in order, `stop` in reverse, every step logged and
 * guarded (a failing stop step is logged with its code and the rest still stop). A subsystem may
 * rely on those before it in the list, never on those after it.
 *
 * `apply` offers a new config to every subsystem in order. When one answers `restart` (or one is not
 * running), the runtime restarts in-process from it: everything after it stops in reverse, then all
 * of it starts again in order on the new config. `keepOnRestart` subsystems stay up through that:
 * provisioning, which drives the apply and waits for health (and rolls back) across the restart.
 */
export class Lifecycle {
  private readonly running = new Set<Subsystem>();

  constructor(
    private readonly subsystems: readonly Subsystem[],
    private readonly logger: Logger,
    private readonly keepOnRestart: ReadonlySet<Subsystem> = new Set(),
  ) {}

  /** Starts all in order; when one fails, those started stop again (reverse) and its error is thrown. */
  start(): Promise<void> {
    return this.startFrom(0);
  }

  /** Stops all in reverse; rejects (SUBSYSTEM_STOP_FAILED) after the last step when any step failed. */
  async stop(): Promise<void> {
    const failed = await this.stopDownTo(0, false);
    if (failed.length) throw new AgentError('SUBSYSTEM_STOP_FAILED', `${failed.join(', ')} did not stop cleanly`, 'see the log for each failed step; a restart of the service clears it');
  }

  /** `restart` when it had to restart part of the list to take `next`. */
  async apply(next: AgentConfig, prev: AgentConfig): Promise<ApplyOutcome> {
    let from = this.subsystems.length;
    for (const [i, s] of this.subsystems.entries()) {
      const outcome = await s.apply(next, prev);
      if ((outcome === 'restart' || !this.running.has(s)) && i < from) from = i;
    }
    if (from === this.subsystems.length) return 'live';
    this.logger.info({ from: this.subsystems[from].name }, 'restarting in-process to apply the new config');
    await this.stopDownTo(from, true);
    await this.startFrom(from);
    return 'restart';
  }

  private async startFrom(first: number): Promise<void> {
    const started: Subsystem[] = [];
    for (const s of this.subsystems.slice(first)) {
      if (this.running.has(s)) continue;
      try {
        await s.start();
      } catch (err) {
        this.logger.error({ subsystem: s.name, err: toErrorInfo(err, 'SUBSYSTEM_START_FAILED') }, 'subsystem failed to start');
        for (const done of started.reverse()) await this.stopOne(done);
        throw err;
      }
      this.running.add(s);
      started.push(s);
      this.logger.info({ subsystem: s.name }, 'subsystem started');
    }
  }

  /** Stops the running subsystems from the last down to index `last`; returns the names that failed. */
  private async stopDownTo(last: number, restarting: boolean): Promise<string[]> {
    const failed: string[] = [];
    for (const s of this.subsystems.slice(last).reverse()) {
      if (!this.running.has(s) || (restarting && this.keepOnRestart.has(s))) continue;
      if (!(await this.stopOne(s))) failed.push(s.name);
    }
    return failed;
  }

  private async stopOne(s: Subsystem): Promise<boolean> {
    // Counted as stopped either way: the next start or apply starts it afresh.
    this.running.delete(s);
    try {
      await s.stop();
      this.logger.info({ subsystem: s.name }, 'subsystem stopped');
      return true;
    } catch (err) {
      this.logger.error({ subsystem: s.name, err: toErrorInfo(err, 'SUBSYSTEM_STOP_FAILED') }, 'subsystem failed to stop; stopping the rest');
      return false;
    }
  }
}
