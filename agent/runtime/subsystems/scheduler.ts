import { isDeepStrictEqual } from 'node:util';
import type { AgentConfig } from '../../config/schema/index.js';
import type { Logger } from '../../core/logger.js';
import type { ApplyOutcome, Subsystem } from '../../core/subsystem.js';
import { JobScheduler } from '../../diagnostics/scheduler.js';

export interface SchedulerDeps {
  /** The running config (the runtime switches it before `apply`). */
  config: () => AgentConfig;
  retention: () => unknown;
  selfTest: () => Promise<unknown>;
  publishHealth: () => Promise<void>;
  logger: Logger;
}

/** The scheduled jobs (retention, daily self-test) and health publishing; new schedules apply live. */
export class SchedulerSubsystem implements Subsystem {
  readonly name = 'scheduler';
  private scheduler?: JobScheduler;
  private healthTimer?: NodeJS.Timeout;

  constructor(private readonly deps: SchedulerDeps) {}

  async start(): Promise<void> {
    const { config: running, retention, selfTest, publishHealth, logger } = this.deps;
    const config = running();
    const scheduler = new JobScheduler(logger);
    this.scheduler = scheduler;
    scheduler.add('retention', config.schedules.retention, retention);
    scheduler.add('selfTest', config.schedules.selfTest, selfTest);
    if (config.health.cron) {
      scheduler.add('health', config.health.cron, publishHealth);
    } else {
      this.healthTimer = setInterval(() => void publishHealth(), config.health.intervalSeconds * 1000);
      void publishHealth();
    }
  }

  async stop(): Promise<void> {
    this.scheduler?.stop();
    this.scheduler = undefined;
    clearInterval(this.healthTimer);
  }

  async apply(next: AgentConfig, prev: AgentConfig): Promise<ApplyOutcome> {
    if (this.scheduler && (!isDeepStrictEqual(prev.schedules, next.schedules) || !isDeepStrictEqual(prev.health, next.health))) {
      await this.stop();
      await this.start();
    }
    return 'live';
  }
}
