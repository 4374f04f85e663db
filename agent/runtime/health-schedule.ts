import cron, { type ScheduledTask } from 'node-cron';
import type { AgentConfig } from '../config/schema/index.js';

/** Fires the health report every `intervalSeconds`, or on `cron` when the config gives one. */
export class HealthSchedule {
  private timer?: NodeJS.Timeout;
  private task?: ScheduledTask;

  constructor(private readonly cfg: AgentConfig['health'], private readonly fire: () => void) {}

  start(): void {
    if (this.cfg.cron) {
      this.task = cron.schedule(this.cfg.cron, this.fire, { name: 'health' });
    } else {
      this.fire();
      this.timer = setInterval(this.fire, this.cfg.intervalSeconds * 1000);
    }
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    void this.task?.stop();
  }
}
