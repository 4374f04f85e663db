import { CLASSES, type OutboxClass } from '../entry.js';
import type { OutboxKind, OutboxStats, OutboxWriteHealth } from '../types.js';
import { records, type Db } from './db.js';

/** oldestAgeS needs a small read after deletes; at most this often. */
const HEAD_REFRESH_MS = 1000;

/**
 * What the outbox holds, counted in memory (rebuilt on open by recovery): entries and bytes per
 * class for the quota and stats, the enqueue time of each class's head for `oldestAgeS`, and what
 * eviction removed.
 */
export class Backlog {
  readonly count = [0, 0, 0];
  readonly bytes = [0, 0, 0];
  readonly evicted: Record<OutboxKind, number> = { clip: 0, snapshot: 0, event: 0, health: 0, response: 0 };
  private readonly headTs: Array<number | undefined> = [undefined, undefined, undefined];
  private headDirty = false;
  private headRefreshedAt = 0;
  private headRefreshing = false;
  private closed = false;

  constructor(private readonly db: Db) {}

  /** Entries written at `t` (enqueue time): the first ones of a class become its head. */
  add(c: OutboxClass, count: number, bytes: number, t: number): void {
    this.count[c] += count;
    this.bytes[c] += bytes;
    if (this.headTs[c] === undefined) this.headTs[c] = t;
  }

  /** Entries deleted from the front (acknowledged or evicted): the head is re-read lazily. */
  remove(c: OutboxClass, count: number, bytes: number): void {
    this.count[c] -= count;
    this.bytes[c] -= bytes;
    this.headDirty = true;
  }

  totalBytes(): number {
    return this.bytes[0] + this.bytes[1] + this.bytes[2];
  }

  stats(writes: OutboxWriteHealth): OutboxStats {
    if (this.headDirty && Date.now() - this.headRefreshedAt > HEAD_REFRESH_MS) void this.refreshHeads();
    const heads = this.headTs.filter((t): t is number => t !== undefined);
    const oldest = heads.length ? Math.min(...heads) : undefined;
    const pending = this.count[0] + this.count[1] + this.count[2];
    return {
      pending,
      bytes: this.totalBytes(),
      oldestAgeS: oldest === undefined || pending === 0 ? 0 : Math.max(0, Math.round((Date.now() - oldest) / 1000)),
      evicted: { ...this.evicted },
      ...writes,
    };
  }

  close(): void {
    this.closed = true;
  }

  private async refreshHeads(): Promise<void> {
    if (this.headRefreshing || this.closed) return;
    this.headRefreshing = true;
    this.headDirty = false;
    this.headRefreshedAt = Date.now();
    try {
      for (const c of CLASSES) {
        let t: number | undefined;
        for await (const [, rec] of records(this.db, c, 1)) t = rec.t;
        this.headTs[c] = t;
      }
    } catch {
      this.headDirty = true;
    } finally {
      this.headRefreshing = false;
    }
  }
}
