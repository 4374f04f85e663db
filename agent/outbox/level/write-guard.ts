import { Backoff } from '../../core/backoff.js';
import { AgentError } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import type { OutboxWriteHealth } from '../types.js';
import type { Db } from './db.js';

/**
 * Frees disk outside the outbox when the disk is full (meant for the oldest recordings); resolves
 * to the bytes it freed. Asked before a reopen while the disk is short of the room LevelDB needs.
 */
export type DiskReclaimer = (bytes: number) => Promise<number> | number;

/** How a full disk gets room again. */
export interface DiskRoom {
  /** Bytes free on the data disk now. */
  free(): number;
  /** Free bytes LevelDB needs to work again (its memtable flushed, a compaction). */
  needed: number;
  /** Outside the outbox: the oldest recordings. */
  reclaim?: DiskReclaimer;
}

const REOPEN_FIRST_MS = 500;
const REOPEN_MAX_MS = 30_000;

const isNoSpace = (reason: string): boolean => /no space left|ENOSPC/i.test(reason);

/**
 * Reopens the LevelDB after a failed write. LevelDB keeps the first error of a background flush or
 * compaction (ENOSPC) and fails every later write with it until the database is reopened, and a
 * failed log append leaves a torn record that records written after it would follow (lost to the
 * log replay of a crash). So any failed write marks the database, and the writer reopens it before
 * its next write: the replay drops the torn tail (a batch whose caller got the error), keeps every
 * committed batch, and clears the kept error. While the disk stays full the reopen itself fails;
 * it is tried again with back-off (and by a timer, so an idle outbox heals too), and writes are
 * refused meanwhile instead of queueing without bound. Every refused write is counted.
 */
export class WriteGuard {
  private failures = 0;
  private lastError?: OutboxWriteHealth['lastError'];
  private broken = false;
  private noSpace = false;
  private retryAt = 0;
  private reopening?: Promise<boolean>;
  private timer?: NodeJS.Timeout;
  private closed = false;
  private readonly backoff = new Backoff(REOPEN_FIRST_MS, REOPEN_MAX_MS);

  constructor(private readonly db: Db, private readonly logger: Logger, private readonly room: DiskRoom) {}

  /**
   * A write of the open database failed (`refused` puts with it): counted, and the database is
   * reopened before the next write. Returns the error for the callers.
   */
  failed(err: unknown, refused = 1, what = 'write'): AgentError {
    const e = this.toError(err, what);
    this.record(e, refused);
    // A write that failed because the database is closed (being reopened, shutting down) needs no reopen of its own.
    if (this.db.status === 'open' && !this.closed) {
      this.broken = true;
      this.noSpace ||= e.code === 'OUTBOX_DISK_FULL';
      this.arm(0);
    }
    return e;
  }

  /** Puts refused without a write attempt (the database is not writable yet). */
  refuse(refused: number): AgentError {
    const e = new AgentError('OUTBOX_WRITE_FAILED', `the outbox refuses writes until its database is reopened (last error: ${this.lastError?.message ?? 'unknown'})`, 'check free space and health of the data disk (gateway.dataDir); the outbox retries by itself');
    this.failures += refused;
    return e;
  }

  /** A write committed: the disk takes writes again. */
  succeeded(): void {
    if (this.broken) return;
    this.backoff.reset();
    this.noSpace = false;
  }

  /** Before each write: true when the database takes writes (reopened first if a write failed; at most at the back-off's pace). */
  ready(): Promise<boolean> {
    if (!this.broken) return Promise.resolve(true);
    if (this.reopening) return this.reopening;
    if (Date.now() < this.retryAt || this.closed) return Promise.resolve(false);
    this.reopening = this.reopen().finally(() => {
      this.reopening = undefined;
    });
    return this.reopening;
  }

  health(): OutboxWriteHealth {
    return { writeFailures: this.failures, writable: !this.broken, ...(this.lastError ? { lastError: { ...this.lastError } } : {}) };
  }

  /** Stops retrying (the store closes). */
  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    await this.reopening;
  }

  private async reopen(): Promise<boolean> {
    clearTimeout(this.timer);
    try {
      const short = (): number => (this.noSpace ? this.room.needed - this.room.free() : 0);
      if (short() > 0 && this.room.reclaim) {
        try {
          const freed = await this.room.reclaim(short());
          this.logger.warn({ freedBytes: freed }, 'outbox: the data disk is full; freed room outside the outbox (oldest recordings)');
        } catch (err) {
          this.logger.warn({ err: (err as Error).message }, 'outbox: the data disk is full and freeing room outside the outbox failed');
        }
      }
      if (this.db.status === 'open') await this.db.close();
      await this.db.open();
    } catch (err) {
      const e = this.toError(err, 'reopen after a failed write');
      this.record(e, 0);
      this.noSpace ||= e.code === 'OUTBOX_DISK_FULL';
      this.arm(this.backoff.next());
      this.logger.error({ err: e.toJSON(), retryInMs: this.retryAt - Date.now() }, 'outbox database not reopened; writes are refused until it is');
      return false;
    }
    this.broken = false;
    this.logger.warn({ writeFailures: this.failures }, 'outbox database reopened after a failed write');
    return true;
  }

  /** A reopen attempt in `ms` (also when no write comes to ask for one). */
  private arm(ms: number): void {
    this.retryAt = Date.now() + ms;
    clearTimeout(this.timer);
    if (this.closed) return;
    this.timer = setTimeout(() => void this.ready(), ms);
    this.timer.unref();
  }

  private record(e: AgentError, refused: number): void {
    this.failures += refused;
    this.lastError = { code: e.code, message: e.message, ts: new Date().toISOString() };
  }

  /** OUTBOX_DISK_FULL when the disk is full; else OUTBOX_REOPEN_FAILED or OUTBOX_WRITE_FAILED. */
  private toError(err: unknown, what: string): AgentError {
    if (err instanceof AgentError) return err;
    const reason = (err as Error & { cause?: Error }).cause?.message ?? (err as Error).message;
    if (isNoSpace(reason)) return new AgentError('OUTBOX_DISK_FULL', `outbox ${what} failed, the data disk is full: ${reason}`, 'free space on the data disk (gateway.dataDir); keep outbox.quotaBytes + recording.maxBytes below it; the outbox reopens its database by itself', { cause: err });
    if (what.startsWith('reopen')) return new AgentError('OUTBOX_REOPEN_FAILED', `the outbox database could not be reopened after a failed write: ${reason}`, 'check the data disk for errors (dmesg); the outbox retries by itself', { cause: err });
    return new AgentError('OUTBOX_WRITE_FAILED', `outbox ${what} failed: ${reason}`, 'check free space and health of the data disk (gateway.dataDir)', { cause: err });
  }
}
