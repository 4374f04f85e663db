import type { Logger } from '../core/logger.js';
import type { Uplink } from '../uplink/types.js';
import { CLASSES, type OutboxClass } from './entry.js';
import type { OutboxStore, StoreObserver, StoredEntry } from './store.js';
import { TokenBucket } from './token-bucket.js';

const QOS1 = { qos: 1 } as const;
const RETRY_PAUSE_MS = 1000;

/**
 * Sends the outbox through the uplink: strict priority between classes (events/health/responses,
 * then snapshots, then clips), FIFO within a class, at most `window` unacknowledged publishes.
 *
 * Ordering across reconnects: every publish of a dropped connection fails (the uplink does not let
 * mqtt.js resend), and nothing new is sent until all of them have settled and the deletes of the
 * acknowledged ones are committed; then reading restarts from the head of each class. So the broker
 * sees each class in n order on every connection: a receiver that drops ids/seqs it already has
 * sees events in seq order, with no gap.
 *
 * It is the store's observer: told of new dispatchable entries and of evictions, asked what it holds.
 */
export class Drainer implements StoreObserver {
  private readonly buffered: StoredEntry[][] = [[], [], []];
  private readonly readPos = [-1, -1, -1];
  private readonly inflight = new Map<string, StoredEntry>();
  /** Read-ahead per class, so a LevelDB read is never on the path between an ack and the next publish. */
  private reading: Array<Promise<void> | undefined> = [undefined, undefined, undefined];
  private generation = 0;
  /** Dispatched entries per class in send order; acknowledged ones leave from the front as a prefix. */
  private sentOrder: Array<Array<{ entry: StoredEntry; acked: boolean }>> = [[], [], []];
  private readonly ackedWaiting = new Set<string>();
  private needsRewind = false;
  /** After a publish failed while still connected (not a lost connection), pause before retrying. */
  private retryAt = 0;
  private retryTimer?: NodeJS.Timeout;
  private pumping = false;
  private again = false;
  private stopped = false;
  private unsubscribe?: () => void;
  private readonly bucket: TokenBucket;
  private uplink?: Uplink;
  sent = 0;
  sentBytes = 0;
  /** Bytes the quota evicted (the store reports them here, whoever wrote them). */
  evictedBytes = 0;

  constructor(private readonly store: OutboxStore, private readonly window: number, bandwidth: number, private readonly logger: Logger) {
    this.bucket = new TokenBucket(bandwidth);
  }

  sealed(): void {
    this.kick();
  }

  isHeld(key: string): boolean {
    return this.inflight.has(key) || this.ackedWaiting.has(key);
  }

  evicted(keys: ReadonlySet<string>, bytes: number): void {
    this.evictedBytes += bytes;
    for (const c of CLASSES) this.buffered[c] = this.buffered[c].filter((e) => !keys.has(e.key));
  }

  attach(uplink: Uplink): void {
    this.unsubscribe?.();
    this.uplink = uplink;
    this.unsubscribe = uplink.onConnectionChange((up) => {
      if (!up) this.needsRewind = true;
      this.kick();
    });
    this.kick();
  }

  get inflightCount(): number {
    return this.inflight.size;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.unsubscribe?.();
    clearTimeout(this.retryTimer);
    const deadline = Date.now() + 5000;
    while (this.inflight.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  }

  kick(): void {
    if (this.pumping) {
      this.again = true;
      return;
    }
    void this.pump();
  }

  private get limit(): number {
    const rm = this.uplink?.receiveMaximum;
    return Math.max(1, Math.min(this.window, rm ?? this.window));
  }

  private async pump(): Promise<void> {
    this.pumping = true;
    try {
      do {
        this.again = false;
        await this.fill();
      } while (this.again && !this.stopped);
    } catch (err) {
      this.logger.error({ err: (err as Error).message }, 'outbox drain failed; retrying');
      setTimeout(() => this.kick(), 1000).unref();
    } finally {
      this.pumping = false;
    }
  }

  private async fill(): Promise<void> {
    const uplink = this.uplink;
    if (!uplink || this.stopped) return;
    if (this.needsRewind) {
      if (this.inflight.size > 0) return; // the last settle kicks us again
      const wait = this.retryAt - Date.now();
      if (wait > 0) {
        clearTimeout(this.retryTimer);
        this.retryTimer = setTimeout(() => this.kick(), wait);
        this.retryTimer.unref();
        return;
      }
      await this.store.flush();
      this.generation++; // reads still running belong to the old pass: their results are dropped
      this.reading = [undefined, undefined, undefined];
      // Acknowledged behind a failed one: still on disk, they are sent again (a duplicate, not a loss).
      this.sentOrder = [[], [], []];
      this.ackedWaiting.clear();
      for (const c of CLASSES) {
        this.buffered[c] = [];
        this.readPos[c] = -1;
      }
      this.needsRewind = false;
    }
    while (uplink.connected && !this.needsRewind && !this.stopped && this.inflight.size < this.limit) {
      // Fast path without awaits: the next entry is already read ahead (the usual case while draining).
      let entry = this.peek();
      if (entry === 'read') entry = await this.next();
      if (!entry) return;
      if (this.bucket.capped) await this.bucket.take(entry.bytes);
      // Anything may have happened during the awaits: never send past a failed publish.
      if (this.needsRewind || !uplink.connected || this.stopped) return;
      this.buffered[entry.cls].shift();
      this.dispatch(uplink, entry);
    }
  }

  /**
   * The next entry if it is already in memory; 'read' when a higher-priority class may have more on
   * disk (so priority stays strict); undefined when everything is sent.
   */
  private peek(): StoredEntry | 'read' | undefined {
    for (const c of CLASSES) {
      const buf = this.buffered[c];
      if (buf.length < this.readAhead(c) / 2 && this.store.hasUnread(c, this.readPos[c])) void this.refill(c);
      if (buf.length > 0) return buf[0];
      if (this.store.hasUnread(c, this.readPos[c])) return 'read';
    }
    return undefined;
  }

  /** The head of the highest-priority class that has something (without removing it). */
  private async next(): Promise<StoredEntry | undefined> {
    for (const c of CLASSES) {
      if (this.buffered[c].length < this.readAhead(c) / 2) void this.refill(c);
      if (this.buffered[c].length === 0) await this.refill(c);
      if (this.buffered[c].length > 0) return this.buffered[c][0];
    }
    return undefined;
  }

  /** Clips are big: read fewer ahead so RAM stays bounded (about window x chunk). */
  private readAhead(c: OutboxClass): number {
    return c === 0 ? 512 : Math.max(4, this.limit);
  }

  private refill(c: OutboxClass): Promise<void> {
    const running = this.reading[c];
    if (running) return running;
    const generation = this.generation;
    const p = (async () => {
      const limit = this.readAhead(c);
      const { entries, through } = await this.store.read(c, this.readPos[c], limit);
      if (generation !== this.generation) return;
      // A short read saw everything sendable up to `through` (evicted gaps included).
      if (entries.length < limit) this.readPos[c] = Math.max(this.readPos[c], through);
      else this.readPos[c] = entries[entries.length - 1].n;
      this.buffered[c].push(...entries.filter((e) => !this.inflight.has(e.key)));
    })().finally(() => {
      if (this.reading[c] === p) this.reading[c] = undefined;
    });
    this.reading[c] = p;
    return p;
  }

  private acknowledge(slot: { entry: StoredEntry; acked: boolean }): void {
    slot.acked = true;
    const order = this.sentOrder[slot.entry.cls];
    let count = 0;
    let bytes = 0;
    let last = -1;
    while (order.length > 0 && order[0].acked) {
      const done = order.shift()!;
      this.ackedWaiting.delete(done.entry.key);
      count++;
      bytes += done.entry.bytes;
      last = done.entry.n;
    }
    if (count > 0) this.store.delThrough(slot.entry.cls, last, count, bytes);
    if (order.includes(slot)) this.ackedWaiting.add(slot.entry.key);
  }

  private dispatch(uplink: Uplink, entry: StoredEntry): void {
    this.inflight.set(entry.key, entry);
    const slot = { entry, acked: false };
    this.sentOrder[entry.cls].push(slot);
    const generation = this.generation;
    uplink.publish(entry.header.topic, entry.payload, QOS1).then(
      () => {
        this.sent++;
        this.sentBytes += entry.payload.length;
        this.inflight.delete(entry.key);
        if (generation === this.generation) this.acknowledge(slot);
        this.kick();
      },
      (err: Error & { code?: string }) => {
        this.needsRewind = true;
        if (uplink.connected) this.retryAt = Date.now() + RETRY_PAUSE_MS;
        this.inflight.delete(entry.key);
        if (err.code !== 'UPLINK_PUBLISH_FAILED' && err.code !== 'UPLINK_OFFLINE') this.logger.warn({ topic: entry.header.topic, err: err.message }, 'outbox publish failed');
        this.kick();
      },
    );
  }
}
