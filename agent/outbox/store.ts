import { Level } from 'level';
import type { Logger } from '../core/logger.js';
import { AgentError } from '../core/errors.js';
import type { AgentConfig } from '../config/schema/index.js';
import {
  CLASSES, SEQ_KEY, SYNC_KEY, dataKey, dataPrefix, decodeEntry, encodeEntry, entryDiskBytes, hasIndex, indexKey, indexPrefix, nFromKey, openGroupKey, recordFromData,
  type EntryHeader, type IndexRecord, type OutboxClass,
} from './entry.js';
import type { OutboxKind, OutboxStats } from './types.js';
import type { WriteJob } from './write-queue-types.js';

type Db = Level<string, Buffer>;
type Op = { type: 'put'; key: string; value: Buffer } | { type: 'del'; key: string };

export interface StoredEntry {
  cls: OutboxClass;
  n: number;
  key: string;
  header: EntryHeader;
  payload: Buffer;
  bytes: number;
}

const DELETE_BATCH = 2048;
const DELETE_DELAY_MS = 100;
/** oldestAgeS needs a small read after deletes; at most this often. */
const HEAD_REFRESH_MS = 1000;

const EMPTY_EVICTED = (): OutboxStats['evicted'] => ({ clip: 0, snapshot: 0, event: 0, health: 0, response: 0 });

/**
 * LevelDB side of the outbox. One writer loop owns every change: jobs queued while a batch is being
 * written are committed together in the next batch (group commit), so fsync under `sync: always`
 * is paid once per batch, not per message. seq and n are assigned inside the loop, so a failed
 * batch rolls them back and seq never has a gap or a reuse.
 */
export class OutboxStore {
  private readonly jobs: WriteJob[] = [];
  /** Acknowledged prefix per class: requested (clearTo) and committed (clearedTo), with what it frees. */
  private readonly clearTo = [-1, -1, -1];
  private readonly clearedTo = [-1, -1, -1];
  private readonly clearing = [{ count: 0, bytes: 0 }, { count: 0, bytes: 0 }, { count: 0, bytes: 0 }];
  private writing = false;
  private idleWaiters: Array<() => void> = [];
  private nextN = 0;
  private seq = 0;
  private readonly count = [0, 0, 0];
  private readonly bytes = [0, 0, 0];
  /** Highest n per class that may be dispatched (complete groups only). */
  readonly sealedMax = [-1, -1, -1];
  private readonly openGroup: Array<number | undefined> = [undefined, undefined, undefined];
  private readonly headTs: Array<number | undefined> = [undefined, undefined, undefined];
  private headDirty = false;
  private headRefreshedAt = 0;
  private deleteTimer?: NodeJS.Timeout;
  private headRefreshing = false;
  private lastSync = Date.now();
  private unsynced = false;
  private syncTimer?: NodeJS.Timeout;
  private closed = false;
  readonly evicted = EMPTY_EVICTED();
  evictedBytes = 0;
  /** Called after commits that made new entries dispatchable. */
  onSealed: () => void = () => {};
  /** Entries the drainer has in flight: never evicted under its feet. */
  isProtected: (key: string) => boolean = () => false;
  /** Tells the drainer which entries eviction removed (it may have them buffered). */
  onEvicted: (keys: Set<string>) => void = () => {};

  private constructor(private readonly db: Db, private readonly cfg: AgentConfig['outbox'], private readonly logger: Logger) {}

  static async open(dir: string, cfg: AgentConfig['outbox'], logger: Logger): Promise<OutboxStore> {
    const db = new Level<string, Buffer>(dir, { valueEncoding: 'buffer' });
    try {
      await db.open();
    } catch (err) {
      const locked = /lock/i.test(String((err as Error & { cause?: Error }).cause?.message ?? (err as Error).message));
      throw new AgentError(
        locked ? 'OUTBOX_LOCKED' : 'OUTBOX_OPEN_FAILED',
        `cannot open the outbox at ${dir}: ${(err as Error & { cause?: Error }).cause?.message ?? (err as Error).message}`,
        locked ? 'another edge-agent process holds the outbox; ask it (edge-agent diag) instead of opening the store' : 'check that gateway.dataDir is writable and not full',
        { cause: err },
      );
    }
    const store = new OutboxStore(db, cfg, logger);
    await store.recover();
    return store;
  }

  /** Removes an unfinished file left by a crash, then rebuilds counters from the small index records. */
  private async recover(): Promise<void> {
    const seq = await this.db.get(SEQ_KEY);
    this.seq = seq ? Number(seq.toString()) : 0;
    for (const c of CLASSES) {
      const open = await this.db.get(openGroupKey(c));
      if (open) {
        const g = Number(open.toString());
        const ops: Op[] = [{ type: 'del', key: openGroupKey(c) }];
        for await (const key of this.db.keys({ gte: indexKey(c, g), lt: `${indexPrefix(c)}~` })) {
          ops.push({ type: 'del', key }, { type: 'del', key: dataKey(c, nFromKey(key)) });
        }
        await this.db.batch(ops, { sync: true });
        this.logger.warn({ class: c, entries: (ops.length - 1) / 2 }, 'outbox: removed a file whose enqueue was interrupted (its caller never got a confirmation)');
      }
      for await (const [n, rec] of this.records(c)) {
        if (this.headTs[c] === undefined) this.headTs[c] = rec.t;
        this.count[c]++;
        this.bytes[c] += rec.b;
        this.sealedMax[c] = Math.max(this.sealedMax[c], n);
        this.nextN = Math.max(this.nextN, n + 1);
      }
    }
  }

  submit(job: Omit<WriteJob, 'resolve' | 'reject'>): Promise<{ firstN: number; lastN: number; seq?: number }> {
    if (this.closed) return Promise.reject(new AgentError('OUTBOX_CLOSED', 'the outbox is closed', 'the agent is shutting down'));
    return new Promise((resolve, reject) => {
      this.jobs.push({ ...job, resolve, reject });
      void this.pump();
    });
  }

  /**
   * Every entry of class `cls` up to n is acknowledged (the drainer sends FIFO per class): one range
   * delete instead of a delete per message. Coalesced: a lost delete only means a duplicate after a
   * crash, never a loss.
   */
  removeThrough(cls: OutboxClass, n: number, count: number, bytes: number): void {
    if (this.closed) return;
    this.clearTo[cls] = Math.max(this.clearTo[cls], n);
    this.clearing[cls].count += count;
    this.clearing[cls].bytes += bytes;
    if (this.clearing[cls].count >= DELETE_BATCH || this.jobs.length > 0) void this.pump();
    else if (!this.deleteTimer) {
      this.deleteTimer = setTimeout(() => {
        this.deleteTimer = undefined;
        void this.pump();
      }, DELETE_DELAY_MS);
    }
  }

  private hasClears(): boolean {
    return CLASSES.some((c) => this.clearTo[c] > this.clearedTo[c]);
  }

  /** True for an entry inside an acknowledged prefix that is not deleted yet. */
  isAcknowledged(cls: OutboxClass, n: number): boolean {
    return n <= this.clearTo[cls];
  }

  /** Resolves once every queued write and delete is committed. */
  flush(): Promise<void> {
    if (this.hasClears()) void this.pump();
    if (!this.writing && this.jobs.length === 0 && !this.hasClears()) return Promise.resolve();
    return new Promise((r) => this.idleWaiters.push(r));
  }

  /** Dispatchable entries of one class after n (FIFO), at most `limit`. */
  async read(cls: OutboxClass, afterN: number, limit: number): Promise<StoredEntry[]> {
    if (afterN >= this.sealedMax[cls]) return [];
    // all() honours `limit` (a single nextv() may stop early at the iterator's byte high-water mark).
    const rows = await this.db.iterator({ gt: dataKey(cls, afterN), lte: dataKey(cls, this.sealedMax[cls]), limit }).all();
    return rows.map(([key, value]) => {
      const { header, payload } = decodeEntry(value);
      return { cls, n: nFromKey(key), key, header, payload, bytes: entryDiskBytes(value) };
    });
  }

  /** Whether class `cls` has sendable entries after n (may be stale by evictions: then a read finds none). */
  hasUnread(cls: OutboxClass, afterN: number): boolean {
    return afterN < this.sealedMax[cls];
  }

  stats(): OutboxStats {
    if (this.headDirty && Date.now() - this.headRefreshedAt > HEAD_REFRESH_MS) void this.refreshHeads();
    const heads = this.headTs.filter((t): t is number => t !== undefined);
    const oldest = heads.length ? Math.min(...heads) : undefined;
    return {
      pending: this.count[0] + this.count[1] + this.count[2],
      bytes: this.bytes[0] + this.bytes[1] + this.bytes[2],
      oldestAgeS: oldest === undefined || this.count[0] + this.count[1] + this.count[2] === 0 ? 0 : Math.max(0, Math.round((Date.now() - oldest) / 1000)),
      evicted: { ...this.evicted },
    };
  }

  pendingIn(cls: OutboxClass): number {
    return this.count[cls];
  }

  async close(): Promise<void> {
    await this.flush();
    this.closed = true;
    clearTimeout(this.syncTimer);
    clearTimeout(this.deleteTimer);
    if (this.unsynced && this.cfg.sync !== 'never') await this.db.put(SYNC_KEY, Buffer.from(String(Date.now())), { sync: true });
    await this.db.close();
  }

  /** Drops the unfinished file of a class (its enqueue failed half-way); the caller gets the error. */
  async abortOpenGroup(cls: OutboxClass): Promise<void> {
    await this.flush();
    const g = this.openGroup[cls];
    if (g === undefined) return;
    const ops: Op[] = [{ type: 'del', key: openGroupKey(cls) }];
    let entries = 0;
    let freed = 0;
    for await (const [key, value] of this.db.iterator({ gte: indexKey(cls, g), lt: `${indexPrefix(cls)}~` })) {
      ops.push({ type: 'del', key }, { type: 'del', key: dataKey(cls, nFromKey(key)) });
      entries++;
      freed += (JSON.parse(value.toString()) as IndexRecord).b;
    }
    await this.db.batch(ops, { sync: false });
    this.openGroup[cls] = undefined;
    this.count[cls] -= entries;
    this.bytes[cls] -= freed;
  }

  /** [n, record] in FIFO order: from the index for files, from the (small) messages themselves otherwise. */
  private async *records(c: OutboxClass, limit?: number): AsyncGenerator<[number, IndexRecord]> {
    if (hasIndex(c)) {
      for await (const [key, value] of this.db.iterator({ gte: indexPrefix(c), lt: `${indexPrefix(c)}~`, limit })) yield [nFromKey(key), JSON.parse(value.toString()) as IndexRecord];
    } else {
      for await (const [key, value] of this.db.iterator({ gte: dataPrefix(c), lt: `${dataPrefix(c)}~`, limit })) {
        const n = nFromKey(key);
        yield [n, recordFromData(n, value)];
      }
    }
  }

  private async refreshHeads(): Promise<void> {
    if (this.headRefreshing || this.closed) return;
    this.headRefreshing = true;
    this.headDirty = false;
    this.headRefreshedAt = Date.now();
    try {
      for (const c of CLASSES) {
        let t: number | undefined;
        for await (const [, rec] of this.records(c, 1)) t = rec.t;
        this.headTs[c] = t;
      }
    } catch {
      this.headDirty = true;
    } finally {
      this.headRefreshing = false;
    }
  }

  private async pump(): Promise<void> {
    if (this.writing) return;
    clearTimeout(this.deleteTimer);
    this.deleteTimer = undefined;
    this.writing = true;
    try {
      while (this.jobs.length > 0 || this.hasClears()) {
        await this.clearAcknowledged();
        if (this.jobs.length > 0) await this.writeOnce();
      }
    } finally {
      this.writing = false;
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const w of waiters) w();
    }
  }

  /** Range-deletes the acknowledged prefixes (native clear: no per-key work in JS). */
  private async clearAcknowledged(): Promise<void> {
    for (const c of CLASSES) {
      const to = this.clearTo[c];
      const from = this.clearedTo[c];
      if (to <= from) continue;
      const freed = this.clearing[c];
      this.clearing[c] = { count: 0, bytes: 0 };
      try {
        await this.db.clear({ gt: dataKey(c, from), lte: dataKey(c, to) });
        if (hasIndex(c)) await this.db.clear({ gt: indexKey(c, from), lte: indexKey(c, to) });
      } catch (err) {
        // Still on disk: sent again after a restart (a duplicate, never a loss). Retry with the next clear.
        this.clearing[c].count += freed.count;
        this.clearing[c].bytes += freed.bytes;
        this.logger.error({ err: (err as Error).message }, 'outbox: deleting acknowledged messages failed');
        return;
      }
      this.clearedTo[c] = to;
      this.count[c] -= freed.count;
      this.bytes[c] -= freed.bytes;
      this.headDirty = true;
    }
  }

  private async writeOnce(): Promise<void> {
    const jobs = this.jobs.splice(0, this.jobs.length);
    const ops: Op[] = [];

    const accepted: WriteJob[] = [];
    let reserved = 0;
    for (const job of jobs) {
      const needed = job.items.reduce((s, it) => s + (Buffer.isBuffer(it.payload) ? it.payload.length : (it.sizeHint ?? 512)) + 256, 0);
      try {
        await this.ensureRoom(needed, reserved, job.cls, job.mayEvict !== false);
        accepted.push(job);
        reserved += needed;
      } catch (err) {
        // Refused for lack of room: counted like an eviction, so nothing is lost silently.
        if (!job.group || job.group.start) this.evicted[job.kind]++;
        job.reject(err);
      }
    }

    const saved = { nextN: this.nextN, seq: this.seq };
    const results: Array<{ job: WriteJob; firstN: number; lastN: number; seq?: number; added: number[]; addedBytes: number[] }> = [];
    const now = Date.now();
    for (const job of accepted) {
      let seq: number | undefined;
      if (job.seq) seq = ++this.seq;
      const firstN = this.nextN;
      const group = job.group ? (job.group.start ? firstN : (job.group.n ?? this.openGroup[job.cls])) : undefined;
      const added = [0, 0, 0];
      const addedBytes = [0, 0, 0];
      for (const item of job.items) {
        const n = this.nextN++;
        const payload = typeof item.payload === 'function' ? item.payload(seq ?? 0) : item.payload;
        const value = encodeEntry({ topic: item.topic, kind: job.kind, json: item.json }, payload, now);
        const b = entryDiskBytes(value);
        ops.push({ type: 'put', key: dataKey(job.cls, n), value });
        if (hasIndex(job.cls)) {
          const rec: IndexRecord = { b, t: now, g: group ?? n, k: job.kind };
          ops.push({ type: 'put', key: indexKey(job.cls, n), value: Buffer.from(JSON.stringify(rec)) });
        }
        added[job.cls]++;
        addedBytes[job.cls] += b;
      }
      if (job.group?.start && !job.group.end) ops.push({ type: 'put', key: openGroupKey(job.cls), value: Buffer.from(String(firstN)) });
      if (job.group?.end && !job.group.start) ops.push({ type: 'del', key: openGroupKey(job.cls) });
      results.push({ job, firstN, lastN: this.nextN - 1, seq, added, addedBytes });
    }
    // The last seq handed out, in the same atomic batch as its events.
    if (this.seq !== saved.seq) ops.push({ type: 'put', key: SEQ_KEY, value: Buffer.from(String(this.seq)) });
    if (ops.length === 0) return;

    const hasPuts = results.length > 0;
    const sync = this.syncNow(hasPuts);
    try {
      await this.db.batch(ops, { sync });
    } catch (err) {
      this.nextN = saved.nextN;
      this.seq = saved.seq;
      const e = new AgentError('OUTBOX_WRITE_FAILED', `outbox write failed: ${(err as Error).message}`, 'check free space and health of the data disk (gateway.dataDir)', { cause: err });
      for (const r of results) r.job.reject(e);
      // Acknowledged entries stay on disk and are sent again after a restart: a duplicate, not a loss.
      this.logger.error({ err: (err as Error).message }, 'outbox batch failed');
      return;
    }
    if (sync) {
      this.lastSync = Date.now();
      this.unsynced = false;
    } else if (hasPuts) {
      this.unsynced = true;
      this.armSyncTimer();
    }
    let sealed = false;
    for (const r of results) {
      for (const c of CLASSES) {
        this.count[c] += r.added[c];
        this.bytes[c] += r.addedBytes[c];
      }
      const cls = r.job.cls;
      if (this.headTs[cls] === undefined) this.headTs[cls] = now;
      if (r.job.group?.start && !r.job.group.end) this.openGroup[cls] = r.firstN;
      if (!r.job.group || r.job.group.end) {
        this.openGroup[cls] = undefined;
        this.sealedMax[cls] = Math.max(this.sealedMax[cls], r.lastN);
        sealed = true;
      }
      r.job.resolve({ firstN: r.firstN, lastN: r.lastN, seq: r.seq });
    }
    if (sealed) this.onSealed();
  }

  /** The sync policy: always (fsync every batch with new data), interval (at most every syncIntervalMs), never. */
  private syncNow(hasPuts: boolean): boolean {
    if (this.cfg.sync === 'always') return hasPuts;
    if (this.cfg.sync === 'interval') return hasPuts && Date.now() - this.lastSync >= this.cfg.syncIntervalMs;
    return false;
  }

  /** Under `interval`, an idle outbox still reaches the disk within syncIntervalMs of its last write. */
  private armSyncTimer(): void {
    if (this.cfg.sync !== 'interval' || this.syncTimer || this.closed) return;
    this.syncTimer = setTimeout(() => {
      this.syncTimer = undefined;
      if (!this.unsynced || this.closed) return;
      this.db.put(SYNC_KEY, Buffer.from(String(Date.now())), { sync: true }).then(
        () => { this.lastSync = Date.now(); this.unsynced = false; },
        (err: Error) => this.logger.warn({ err: err.message }, 'outbox sync failed'),
      );
    }, this.cfg.syncIntervalMs);
    this.syncTimer.unref();
  }

  /**
   * Makes room for `needed` bytes under the quota: oldest clips first, then snapshots, then
   * events/health/responses. Every evicted item is counted (files once, not per chunk).
   */
  private async ensureRoom(needed: number, reserved: number, forClass: OutboxClass, mayEvict: boolean): Promise<void> {
    const quota = this.cfg.quotaBytes;
    if (needed > quota) throw new AgentError('OUTBOX_ITEM_TOO_LARGE', `an item of ${needed} bytes exceeds outbox.quotaBytes (${quota})`, 'raise outbox.quotaBytes or cut shorter clips');
    let excess = this.bytes[0] + this.bytes[1] + this.bytes[2] + reserved + needed - quota;
    if (excess > 0 && !mayEvict) throw new AgentError('OUTBOX_FULL', `the outbox is full (${quota} bytes) and an on-demand file never evicts queued evidence`, 'ask again once the uplink has drained the outbox');
    // An item may only push out items of its own or a lower priority: a new clip never costs an event.
    for (const c of ([2, 1, 0] as OutboxClass[]).filter((c) => c >= forClass)) {
      if (excess <= 0) return;
      excess -= await this.evictFrom(c, excess);
    }
    if (excess > 0) throw new AgentError('OUTBOX_FULL', `the outbox is full (${quota} bytes) and nothing of the same or lower priority is left to evict`, 'the uplink has been down too long or is too slow; raise outbox.quotaBytes or check the uplink');
  }

  private async evictFrom(c: OutboxClass, want: number): Promise<number> {
    const ops: Op[] = [];
    const removed = new Set<string>();
    let freed = 0;
    let entries = 0;
    let currentGroup: number | undefined;
    const groupsByKind = new Map<OutboxKind, number>();
    const open = this.openGroup[c];
    for await (const [n, rec] of this.records(c)) {
      if (rec.g !== currentGroup) {
        if (freed >= want) break; // finish whole groups only
        currentGroup = rec.g;
        if (open === undefined || rec.g !== open) groupsByKind.set(rec.k, (groupsByKind.get(rec.k) ?? 0) + 1);
      }
      if (open !== undefined && rec.g === open) break; // the file being written is the newest: stop
      const dkey = dataKey(c, n);
      if (this.isProtected(dkey) || this.isAcknowledged(c, n)) continue;
      ops.push({ type: 'del', key: dkey });
      if (hasIndex(c)) ops.push({ type: 'del', key: indexKey(c, n) });
      removed.add(dkey);
      freed += rec.b;
      entries++;
    }
    if (!ops.length) return 0;
    await this.db.batch(ops, { sync: false });
    this.count[c] -= entries;
    this.bytes[c] -= freed;
    this.evictedBytes += freed;
    for (const [k, v] of groupsByKind) this.evicted[k] += v;
    this.headDirty = true;
    this.logger.warn({ class: c, entries, bytes: freed, items: Object.fromEntries(groupsByKind) }, 'outbox quota reached: evicted the oldest items');
    this.onEvicted(removed);
    return freed;
  }
}
