import type { Logger } from '../../core/logger.js';
import { AgentError } from '../../core/errors.js';
import { SEQ_KEY, dataKey, encodeEntry, entryDiskBytes, hasIndex, indexKey, openGroupKey, type IndexRecord, type OutboxClass } from '../entry.js';
import type { PutRequest, PutResult } from '../store.js';
import { DELETE_DELAY_MS, type AckClearing } from './ack-clearing.js';
import type { Backlog } from './backlog.js';
import { openGroupRemoval, type Db, type Op } from './db.js';
import type { Quota } from './quota.js';
import type { Recovered } from './recovery.js';
import type { SyncPolicy } from './sync-policy.js';
import type { WriteGuard } from './write-guard.js';

type WriteJob = PutRequest & { resolve(res: PutResult): void; reject(err: unknown): void };

export interface WriterParts {
  backlog: Backlog;
  clearing: AckClearing;
  quota: Quota;
  sync: SyncPolicy;
  /** Counts failed writes and reopens the database after one. */
  guard: WriteGuard;
  /** Called after commits that made new entries dispatchable. */
  sealed(): void;
}

/**
 * The single writer: one loop owns every change to the store. Puts queued while a batch is being
 * written are committed together in the next batch (group commit), so an fsync under `sync: always`
 * is paid once per batch, not per message; acknowledged prefixes are deleted between batches. n and
 * seq are assigned inside the loop, so a failed batch rolls them back: seq never has a gap or a reuse.
 * After a failed write the guard reopens the database before the next one (write-guard.ts); until
 * it could, queued puts are refused (counted), never left waiting.
 */
export class Writer {
  /** Highest n per class that may be dispatched (complete groups only). */
  readonly sealedMax: number[];
  /** The file being written per class (its first n), not dispatchable until its last put. */
  private readonly openGroup: Array<number | undefined> = [undefined, undefined, undefined];
  private readonly jobs: WriteJob[] = [];
  private nextN: number;
  private seq: number;
  private writing = false;
  private idleWaiters: Array<() => void> = [];
  private deleteTimer?: NodeJS.Timeout;
  private closed = false;

  constructor(private readonly db: Db, recovered: Recovered, private readonly parts: WriterParts, private readonly logger: Logger) {
    this.sealedMax = recovered.sealedMax;
    this.nextN = recovered.nextN;
    this.seq = recovered.seq;
  }

  put(request: PutRequest): Promise<PutResult> {
    if (this.closed) return Promise.reject(new AgentError('OUTBOX_CLOSED', 'the outbox is closed', 'the agent is shutting down'));
    return new Promise((resolve, reject) => {
      this.jobs.push({ ...request, resolve, reject });
      void this.pump();
    });
  }

  /** Deletes an acknowledged prefix: at once when a batch of them is due or writes are queued anyway, else a little later. */
  delThrough(cls: OutboxClass, n: number, count: number, bytes: number): void {
    if (this.closed) return;
    if (this.parts.clearing.request(cls, n, count, bytes) || this.jobs.length > 0) void this.pump();
    else if (!this.deleteTimer) {
      this.deleteTimer = setTimeout(() => {
        this.deleteTimer = undefined;
        void this.pump();
      }, DELETE_DELAY_MS);
    }
  }

  flush(): Promise<void> {
    const clears = this.parts.clearing.pending();
    if (clears) void this.pump();
    if (!this.writing && this.jobs.length === 0 && !clears) return Promise.resolve();
    return new Promise((r) => this.idleWaiters.push(r));
  }

  async abortOpenGroup(cls: OutboxClass): Promise<void> {
    await this.flush();
    const g = this.openGroup[cls];
    if (g === undefined) return;
    const { ops, entries, bytes } = await openGroupRemoval(this.db, cls, g);
    try {
      await this.db.batch(ops, { sync: false });
    } catch (err) {
      // Left as it is, it is an unfinished file that the next open removes (its caller gets the error).
      throw this.parts.guard.failed(err, 1, 'removal of an unfinished file');
    }
    this.openGroup[cls] = undefined;
    this.parts.backlog.remove(cls, entries, bytes);
  }

  /** Commits what is queued, then refuses further puts. */
  async close(): Promise<void> {
    await this.flush();
    this.closed = true;
    clearTimeout(this.deleteTimer);
  }

  private async pump(): Promise<void> {
    if (this.writing) return;
    clearTimeout(this.deleteTimer);
    this.deleteTimer = undefined;
    this.writing = true;
    try {
      while (this.jobs.length > 0 || this.parts.clearing.pending()) {
        await this.parts.clearing.commit();
        if (this.jobs.length > 0) await this.writeOnce();
      }
    } finally {
      this.writing = false;
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const w of waiters) w();
    }
  }

  private async writeOnce(): Promise<void> {
    const jobs = this.jobs.splice(0, this.jobs.length);
    if (!(await this.parts.guard.ready())) {
      const e = this.parts.guard.refuse(jobs.length);
      for (const job of jobs) job.reject(e);
      return;
    }
    const accepted = await this.parts.quota.admit(jobs, this.openGroup);
    const ops: Op[] = [];
    const saved = { nextN: this.nextN, seq: this.seq };
    const results: Array<{ job: WriteJob; firstN: number; lastN: number; seq?: number; bytes: number }> = [];
    const now = Date.now();
    for (const job of accepted) {
      let seq: number | undefined;
      if (job.seq) seq = ++this.seq;
      const firstN = this.nextN;
      const group = job.group ? (job.group.start ? firstN : this.openGroup[job.cls]) : undefined;
      let bytes = 0;
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
        bytes += b;
      }
      if (job.group?.start && !job.group.end) ops.push({ type: 'put', key: openGroupKey(job.cls), value: Buffer.from(String(firstN)) });
      if (job.group?.end && !job.group.start) ops.push({ type: 'del', key: openGroupKey(job.cls) });
      results.push({ job, firstN, lastN: this.nextN - 1, seq, bytes });
    }
    // The last seq handed out, in the same atomic batch as its events.
    if (this.seq !== saved.seq) ops.push({ type: 'put', key: SEQ_KEY, value: Buffer.from(String(this.seq)) });
    if (ops.length === 0) return;

    const hasPuts = results.length > 0;
    const sync = this.parts.sync.syncBatch(hasPuts);
    try {
      await this.db.batch(ops, { sync });
    } catch (err) {
      this.nextN = saved.nextN;
      this.seq = saved.seq;
      const e = this.parts.guard.failed(err, results.length);
      for (const r of results) r.job.reject(e);
      this.logger.error({ err: e.toJSON() }, 'outbox batch failed; the database is reopened before the next write');
      return;
    }
    this.parts.guard.succeeded();
    this.parts.sync.committed(sync, hasPuts);
    let sealed = false;
    for (const r of results) {
      const cls = r.job.cls;
      this.parts.backlog.add(cls, r.lastN - r.firstN + 1, r.bytes, now);
      if (r.job.group?.start && !r.job.group.end) this.openGroup[cls] = r.firstN;
      if (!r.job.group || r.job.group.end) {
        this.openGroup[cls] = undefined;
        this.sealedMax[cls] = Math.max(this.sealedMax[cls], r.lastN);
        sealed = true;
      }
      r.job.resolve({ firstN: r.firstN, lastN: r.lastN, seq: r.seq });
    }
    if (sealed) this.parts.sealed();
  }
}
