import type { Logger } from '../core/logger.js';
import type { Uplink } from '../uplink/types.js';
import { CLASSES, type OutboxClass } from './entry.js';
import type { OutboxStore, StoredEntry } from './store.js';
import { TokenBucket } from './token-bucket.js';

/**
 * Sends the outbox through the uplink: strict priority between classes (events/health/responses,
 * then snapshots, then clips), FIFO within a class, at most `window` unacknowledged publishes.
 *
 * Ordering across reconnects: every publish of a dropped connection fails (the uplink does not let
 * mqtt.js resend), and nothing new is sent until all of them have settled and the deletes of the
 * acknowledged ones are committed; then reading restarts from the head of each class. So the broker
 * sees each class in n order on every connection: a receiver that drops ids/seqs it already has
 * sees events in seq order, with no gap.
 */
export class Drainer {
  private readonly buffered: StoredEntry[][] = [[], [], []];
  private readonly readPos = [-1, -1, -1];
  private readonly inflight = new Map<string, StoredEntry>();
  private needsRewind = false;
  private pumping = false;
  private again = false;
  private stopped = false;
  private unsubscribe?: () => void;
  private readonly bucket: TokenBucket;
  private uplink?: Uplink;
  sent = 0;
  sentBytes = 0;

  constructor(private readonly store: OutboxStore, private readonly window: number, bandwidth: number, private readonly logger: Logger) {
    this.bucket = new TokenBucket(bandwidth);
    store.isProtected = (key) => this.inflight.has(key);
    store.onSealed = () => this.kick();
    store.onEvicted = (keys) => {
      for (const c of CLASSES) this.buffered[c] = this.buffered[c].filter((e) => !keys.has(e.key));
    };
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
      await this.store.flush();
      for (const c of CLASSES) {
        this.buffered[c] = [];
        this.readPos[c] = -1;
      }
      this.needsRewind = false;
    }
    while (uplink.connected && !this.needsRewind && !this.stopped && this.inflight.size < this.limit) {
      const entry = await this.next();
      if (!entry) return;
      await this.bucket.take(entry.bytes);
      // Anything may have happened during the awaits: never send past a failed publish.
      if (this.needsRewind || !uplink.connected || this.stopped) return;
      this.buffered[entry.cls].shift();
      this.dispatch(uplink, entry);
    }
  }

  /** The head of the highest-priority class that has something (without removing it). */
  private async next(): Promise<StoredEntry | undefined> {
    for (const c of CLASSES) {
      if (this.buffered[c].length === 0) await this.refill(c);
      if (this.buffered[c].length > 0) return this.buffered[c][0];
    }
    return undefined;
  }

  private async refill(c: OutboxClass): Promise<void> {
    // Clips are big: read fewer ahead so RAM stays bounded (window x chunk at most).
    const limit = c === 0 ? 256 : this.limit;
    const entries = await this.store.read(c, this.readPos[c], limit);
    const fresh = entries.filter((e) => !this.inflight.has(e.key) && !this.store.isDeleting(e.key));
    if (entries.length) this.readPos[c] = entries[entries.length - 1].n;
    this.buffered[c].push(...fresh);
  }

  private dispatch(uplink: Uplink, entry: StoredEntry): void {
    this.inflight.set(entry.key, entry);
    const opts = entry.header.json ? { qos: 1 as const, contentType: 'application/json' } : { qos: 1 as const };
    uplink.publish(entry.header.topic, entry.payload, opts).then(
      () => {
        this.sent++;
        this.sentBytes += entry.payload.length;
        this.store.remove({ cls: entry.cls, key: entry.key, bytes: entry.bytes });
        this.inflight.delete(entry.key);
        this.kick();
      },
      (err: Error & { code?: string }) => {
        this.needsRewind = true;
        this.inflight.delete(entry.key);
        if (err.code !== 'UPLINK_PUBLISH_FAILED' && err.code !== 'UPLINK_OFFLINE') this.logger.warn({ topic: entry.header.topic, err: err.message }, 'outbox publish failed');
        this.kick();
      },
    );
  }
}
