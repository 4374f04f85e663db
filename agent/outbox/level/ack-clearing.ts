import type { Logger } from '../../core/logger.js';
import { CLASSES, dataKey, hasIndex, indexKey, type OutboxClass } from '../entry.js';
import type { Backlog } from './backlog.js';
import type { Db } from './db.js';
import type { WriteGuard } from './write-guard.js';

/** Acknowledged entries of one class pending deletion that make a delete due at once. */
const DELETE_BATCH = 2048;
/** Otherwise acknowledgements are coalesced for this long. */
export const DELETE_DELAY_MS = 100;

/**
 * Deletes what the broker acknowledged. The drainer sends FIFO per class, so acknowledgements arrive
 * as a growing prefix per class: one native range delete (`clear`, no per-key JS work) instead of a
 * delete per message. A lost or failed delete only means a duplicate after a restart, never a loss.
 */
export class AckClearing {
  /** Acknowledged prefix per class: requested, and committed to LevelDB. */
  private readonly requested = [-1, -1, -1];
  private readonly committed = [-1, -1, -1];
  /** What the requested but uncommitted part frees, per class. */
  private readonly freeing = [{ count: 0, bytes: 0 }, { count: 0, bytes: 0 }, { count: 0, bytes: 0 }];

  constructor(private readonly db: Db, private readonly backlog: Backlog, private readonly guard: WriteGuard, private readonly logger: Logger) {}

  /** Records an acknowledged prefix; true when enough is pending that the delete should not wait. */
  request(cls: OutboxClass, n: number, count: number, bytes: number): boolean {
    this.requested[cls] = Math.max(this.requested[cls], n);
    this.freeing[cls].count += count;
    this.freeing[cls].bytes += bytes;
    return this.freeing[cls].count >= DELETE_BATCH;
  }

  /** The end of the acknowledged prefix of a class (entries up to here are not sent again, nor evicted). */
  acknowledgedThrough(cls: OutboxClass): number {
    return this.requested[cls];
  }

  pending(): boolean {
    return CLASSES.some((c) => this.requested[c] > this.committed[c]);
  }

  /** Range-deletes the acknowledged prefixes; on a failure the rest waits for the next call. */
  async commit(): Promise<void> {
    if (!this.pending() || !(await this.guard.ready())) return;
    for (const c of CLASSES) {
      const to = this.requested[c];
      const from = this.committed[c];
      if (to <= from) continue;
      const freed = this.freeing[c];
      this.freeing[c] = { count: 0, bytes: 0 };
      try {
        await this.db.clear({ gt: dataKey(c, from), lte: dataKey(c, to) });
        if (hasIndex(c)) await this.db.clear({ gt: indexKey(c, from), lte: indexKey(c, to) });
      } catch (err) {
        // Still on disk: sent again after a restart (a duplicate, never a loss). Retry with the next clear.
        this.freeing[c].count += freed.count;
        this.freeing[c].bytes += freed.bytes;
        this.logger.error({ err: this.guard.failed(err, 1, 'delete of acknowledged messages').toJSON() }, 'outbox: deleting acknowledged messages failed');
        return;
      }
      this.committed[c] = to;
      this.backlog.remove(c, freed.count, freed.bytes);
    }
  }
}
