import cron, { type ScheduledTask } from 'node-cron';
import { toErrorInfo } from '../core/errors.js';
import type { Logger } from '../core/logger.js';

export interface JobStats {
  schedule: string;
  runs: number;
  failures: number;
  lastRunAt?: string;
  lastError?: { code: string; message: string };
}

/**
 * The agent's scheduled jobs (node-cron): retention, outbox compaction, the daily self-test, and
 * health on a cron expression. A job never overlaps itself, and one that throws is logged and
 * counted; it does not stop the others. Expressions were checked by the config schema already.
 */
export class JobScheduler {
  private readonly tasks = new Map<string, ScheduledTask>();
  private readonly stats = new Map<string, JobStats>();

  constructor(private readonly logger: Logger) {}

  add(name: string, expression: string, job: () => Promise<unknown> | unknown): void {
    const stats: JobStats = { schedule: expression, runs: 0, failures: 0 };
    this.stats.set(name, stats);
    let running = false;
    const task = cron.schedule(
      expression,
      async () => {
        if (running) return;
        running = true;
        stats.runs++;
        stats.lastRunAt = new Date().toISOString();
        try {
          await job();
        } catch (err) {
          stats.failures++;
          stats.lastError = toErrorInfo(err, 'JOB_FAILED');
          this.logger.error({ job: name, err: stats.lastError }, 'scheduled job failed');
        } finally {
          running = false;
        }
      },
      { name },
    );
    this.tasks.set(name, task);
  }

  jobStats(): Record<string, JobStats> {
    return Object.fromEntries([...this.stats].map(([k, v]) => [k, { ...v }]));
  }

  stop(): void {
    for (const task of this.tasks.values()) void task.stop();
    this.tasks.clear();
  }
}
