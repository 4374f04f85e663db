import type { Logger } from '../../core/logger.js';
import { AgentError } from '../../core/errors.js';
import { dataKey, hasIndex, indexKey, type OutboxClass } from '../entry.js';
import type { OutboxKind } from '../types.js';
import type { PutRequest } from '../store.js';
import type { Backlog } from './backlog.js';
import { records, type Db, type Op } from './db.js';

/** A put waiting in the writer, as far as the quota is concerned. */
export type QuotaJob = PutRequest & { reject(err: unknown): void };

export interface QuotaOptions {
  quotaBytes: number;
  /** Entries eviction must leave alone: held by the drainer, or acknowledged and about to be deleted. */
  keep(cls: OutboxClass, n: number, key: string): boolean;
  /** Told which entries eviction removed, and the bytes it freed. */
  evicted(keys: ReadonlySet<string>, bytes: number): void;
  /** An eviction batch failed to write (counted there, not as an eviction): the error to refuse the job with. */
  writeFailed(err: unknown): Error;
}

/**
 * `outbox.quotaBytes`: makes room before a batch is written, oldest clips first, then snapshots,
 * then events/health/responses; an item only pushes out items of its own or a lower priority.
 * Every evicted or refused item is counted (files once, not per chunk).
 */
export class Quota {
  constructor(private readonly db: Db, private readonly backlog: Backlog, private readonly opts: QuotaOptions, private readonly logger: Logger) {}

  /**
   * The jobs that fit, in order, after evicting what had to go; the others are rejected (counted like
   * an eviction, so nothing is lost silently). `openGroups`: the file being written per class.
   */
  async admit<J extends QuotaJob>(jobs: J[], openGroups: ReadonlyArray<number | undefined>): Promise<J[]> {
    const accepted: J[] = [];
    let reserved = 0;
    for (const job of jobs) {
      const needed = job.items.reduce((s, it) => s + (Buffer.isBuffer(it.payload) ? it.payload.length : (it.sizeHint ?? 512)) + 256, 0);
      try {
        await this.ensureRoom(needed, reserved, job.cls, openGroups, job.mayEvict !== false);
        accepted.push(job);
        reserved += needed;
      } catch (err) {
        const refused = err instanceof AgentError && (err.code === 'OUTBOX_FULL' || err.code === 'OUTBOX_ITEM_TOO_LARGE');
        if (!refused) job.reject(this.opts.writeFailed(err));
        else {
          if (!job.group || job.group.start) this.backlog.evicted[job.kind]++;
          job.reject(err);
        }
      }
    }
    return accepted;
  }

  private async ensureRoom(needed: number, reserved: number, forClass: OutboxClass, openGroups: ReadonlyArray<number | undefined>, mayEvict: boolean): Promise<void> {
    const quota = this.opts.quotaBytes;
    if (needed > quota) throw new AgentError('OUTBOX_ITEM_TOO_LARGE', `an item of ${needed} bytes exceeds outbox.quotaBytes (${quota})`, 'raise outbox.quotaBytes or cut shorter clips');
    let excess = this.backlog.totalBytes() + reserved + needed - quota;
    if (excess > 0 && !mayEvict) throw new AgentError('OUTBOX_FULL', `the outbox is full (${quota} bytes) and an on-demand file never evicts queued evidence`, 'ask again once the uplink has drained the outbox');
    // A new clip never costs an event: only classes of the same or a lower priority give way.
    for (const c of ([2, 1, 0] as OutboxClass[]).filter((c) => c >= forClass)) {
      if (excess <= 0) return;
      excess -= await this.evictFrom(c, excess, openGroups[c]);
    }
    if (excess > 0) throw new AgentError('OUTBOX_FULL', `the outbox is full (${quota} bytes) and nothing of the same or lower priority is left to evict`, 'the uplink has been down too long or is too slow; raise outbox.quotaBytes or check the uplink');
  }

  private async evictFrom(c: OutboxClass, want: number, open: number | undefined): Promise<number> {
    const ops: Op[] = [];
    const removed = new Set<string>();
    let freed = 0;
    let entries = 0;
    let currentGroup: number | undefined;
    /** The group of the last removed entry: a group counts once, and only if something of it went. */
    let countedGroup: number | undefined;
    const groupsByKind = new Map<OutboxKind, number>();
    for await (const [n, rec] of records(this.db, c)) {
      if (rec.g !== currentGroup) {
        if (freed >= want) break; // finish whole groups only
        currentGroup = rec.g;
      }
      if (open !== undefined && rec.g === open) break; // the file being written is the newest: stop
      const dkey = dataKey(c, n);
      // In flight or acknowledged: not evicted (and not counted as evicted).
      if (this.opts.keep(c, n, dkey)) continue;
      if (countedGroup !== rec.g) {
        countedGroup = rec.g;
        groupsByKind.set(rec.k, (groupsByKind.get(rec.k) ?? 0) + 1);
      }
      ops.push({ type: 'del', key: dkey });
      if (hasIndex(c)) ops.push({ type: 'del', key: indexKey(c, n) });
      removed.add(dkey);
      freed += rec.b;
      entries++;
    }
    if (!ops.length) return 0;
    await this.db.batch(ops, { sync: false });
    this.backlog.remove(c, entries, freed);
    for (const [k, v] of groupsByKind) this.backlog.evicted[k] += v;
    this.logger.warn({ class: c, entries, bytes: freed, items: Object.fromEntries(groupsByKind) }, 'outbox quota reached: evicted the oldest items');
    this.opts.evicted(removed, freed);
    return freed;
  }
}
