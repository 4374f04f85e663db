import type { Logger } from '../../core/logger.js';
import type { AgentConfig } from '../../config/schema/index.js';
import { statfsSync } from 'node:fs';
import { dataKey, decodeEntry, entryDiskBytes, nFromKey, type OutboxClass } from '../entry.js';
import type { OutboxStats } from '../types.js';
import type { OutboxStore, PutRequest, PutResult, ReadResult, StoreObserver } from '../store.js';
import { AckClearing } from './ack-clearing.js';
import { Backlog } from './backlog.js';
import { openDb, type Db } from './db.js';
import { Quota } from './quota.js';
import { recover } from './recovery.js';
import { SyncPolicy } from './sync-policy.js';
import { Writer } from './writer.js';
import { WriteGuard, type DiskReclaimer } from './write-guard.js';

export interface LevelStoreOptions {
  /** Frees disk outside the outbox when the disk is full (the oldest recordings). */
  reclaim?: DiskReclaimer;
  /** LevelDB's write buffer (default 4 MiB); small in tests, so a flush to disk comes after a few writes. */
  writeBufferBytes?: number;
}

/** LevelDB's default write buffer (memtable size). */
const DEFAULT_WRITE_BUFFER = 4 * 1024 * 1024;

/** For readers that only count (diagnostics): nothing is in flight, nobody to tell. */
const NO_OBSERVER: StoreObserver = { sealed: () => {}, isHeld: () => false, evicted: () => {} };

/**
 * The outbox store on LevelDB (key layout: `entry.ts`), composed of one part per capability:
 * recovery on open, the single writer (group commit, n and seq), the sync policy, deletion of
 * acknowledged prefixes, the quota with its eviction, and the backlog counters behind `stats()`.
 */
export class LevelOutboxStore implements OutboxStore {
  private constructor(
    private readonly db: Db,
    private readonly writer: Writer,
    private readonly clearing: AckClearing,
    private readonly backlog: Backlog,
    private readonly sync: SyncPolicy,
    private readonly guard: WriteGuard,
  ) {}

  static async open(dir: string, cfg: AgentConfig['outbox'], logger: Logger, observer: StoreObserver = NO_OBSERVER, opts: LevelStoreOptions = {}): Promise<LevelOutboxStore> {
    const db = await openDb(dir, opts.writeBufferBytes);
    const backlog = new Backlog(db);
    const recovered = await recover(db, backlog, logger);
    const guard = new WriteGuard(db, logger, {
      free: () => {
        const s = statfsSync(dir);
        return s.bavail * s.bsize;
      },
      needed: 2 * (opts.writeBufferBytes ?? DEFAULT_WRITE_BUFFER) + 1024 * 1024,
      reclaim: opts.reclaim,
    });
    const clearing = new AckClearing(db, backlog, guard, logger);
    const quota = new Quota(db, backlog, {
      quotaBytes: cfg.quotaBytes,
      keep: (c, n, key) => observer.isHeld(key) || n <= clearing.acknowledgedThrough(c),
      evicted: (keys, bytes) => observer.evicted(keys, bytes),
      writeFailed: (err) => guard.failed(err, 1, 'eviction'),
    }, logger);
    const sync = new SyncPolicy(db, cfg, guard, logger);
    const writer = new Writer(db, recovered, { backlog, clearing, quota, sync, guard, sealed: () => observer.sealed() }, logger);
    return new LevelOutboxStore(db, writer, clearing, backlog, sync, guard);
  }

  put(request: PutRequest): Promise<PutResult> {
    return this.writer.put(request);
  }

  async read(cls: OutboxClass, afterN: number, limit: number): Promise<ReadResult> {
    const through = this.writer.sealedMax[cls];
    // Acknowledged entries whose delete is not committed yet are not read back.
    const from = Math.max(afterN, this.clearing.acknowledgedThrough(cls));
    if (from >= through) return { entries: [], through };
    // all() honours `limit` (a single nextv() may stop early at the iterator's byte high-water mark).
    const rows = await this.db.iterator({ gt: dataKey(cls, from), lte: dataKey(cls, through), limit }).all();
    const entries = rows.map(([key, value]) => {
      const { header, payload } = decodeEntry(value);
      return { cls, n: nFromKey(key), key, header, payload, bytes: entryDiskBytes(value) };
    });
    return { entries, through };
  }

  hasUnread(cls: OutboxClass, afterN: number): boolean {
    return afterN < this.writer.sealedMax[cls];
  }

  delThrough(cls: OutboxClass, n: number, count: number, bytes: number): void {
    this.writer.delThrough(cls, n, count, bytes);
  }

  abortOpenGroup(cls: OutboxClass): Promise<void> {
    return this.writer.abortOpenGroup(cls);
  }

  flush(): Promise<void> {
    return this.writer.flush();
  }

  stats(): OutboxStats {
    return this.backlog.stats(this.guard.health());
  }

  async close(): Promise<void> {
    await this.writer.close();
    await this.guard.close();
    this.backlog.close();
    await this.sync.close();
    await this.db.close();
  }
}
