import type { Logger } from '../../core/logger.js';
import type { AgentConfig } from '../../config/schema/index.js';
import { SYNC_KEY } from '../entry.js';
import type { Db } from './db.js';
import type { WriteGuard } from './write-guard.js';

/**
 * `outbox.sync`: always (fsync every batch with new data), interval (at most every syncIntervalMs,
 * and an idle outbox still reaches the disk within syncIntervalMs of its last write), never.
 * Batches of deletes alone are never synced: losing one only means a duplicate.
 */
export class SyncPolicy {
  private lastSync = Date.now();
  private unsynced = false;
  private timer?: NodeJS.Timeout;
  private closed = false;

  constructor(private readonly db: Db, private readonly cfg: AgentConfig['outbox'], private readonly guard: WriteGuard, private readonly logger: Logger) {}

  /** Whether the next batch is written with `sync: true`. */
  syncBatch(hasPuts: boolean): boolean {
    if (this.cfg.sync === 'always') return hasPuts;
    if (this.cfg.sync === 'interval') return hasPuts && Date.now() - this.lastSync >= this.cfg.syncIntervalMs;
    return false;
  }

  /** After a batch was committed (`synced`: written with `sync: true`). */
  committed(synced: boolean, hasPuts: boolean): void {
    if (synced) {
      this.lastSync = Date.now();
      this.unsynced = false;
    } else if (hasPuts) {
      this.unsynced = true;
      this.armTimer();
    }
  }

  /** Stops the timer; what is still unsynced reaches the disk now (unless `never`). */
  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    if (this.unsynced && this.cfg.sync !== 'never') await this.writeSyncMark();
  }

  private armTimer(): void {
    if (this.cfg.sync !== 'interval' || this.timer || this.closed) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (!this.unsynced || this.closed) return;
      this.writeSyncMark().then(
        () => { this.lastSync = Date.now(); this.unsynced = false; },
        (err: unknown) => this.logger.warn({ err: this.guard.failed(err, 1, 'sync').toJSON() }, 'outbox sync failed'),
      );
    }, this.cfg.syncIntervalMs);
    this.timer.unref();
  }

  /** A small synced write: LevelDB fsyncs its log, and everything written before it with it. */
  private writeSyncMark(): Promise<void> {
    return this.db.put(SYNC_KEY, Buffer.from(String(Date.now())), { sync: true });
  }
}
