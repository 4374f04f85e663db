import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import type { Logger } from '../core/logger.js';
import type { AgentConfig } from '../config/schema/index.js';
import { encodeEventMessage, EVENTS_TOPIC, type EventBody } from '../contract/index.js';
import { assertRelativeTopic } from '../uplink/topics.js';
import type { Uplink } from '../uplink/types.js';
import { classOf, type OutboxClass } from './entry.js';
import { Drainer } from './drainer.js';
import { enqueueBuffer, enqueuePath, type FileTransferContext } from './file-transfer.js';
import { LevelOutboxStore, type LevelStoreOptions } from './level/level-store.js';
import type { OutboxStore } from './store.js';
import type { ClipMeta, OutboxStats, OutboxWriter } from './types.js';

export interface OutboxOptions {
  /** Usually `<gateway.dataDir>/outbox`. */
  dir: string;
  config: AgentConfig['outbox'];
  /** clips.chunkBytes: the largest chunk message of a file transfer. */
  chunkBytes: number;
  /** Signs file meta (base64 Ed25519 by the gateway key: GatewayIdentity.sign). */
  sign: (data: Buffer) => string;
  logger: Logger;
  /** On a full disk: frees room outside the outbox (the oldest recordings) and the LevelDB write buffer (tests). */
  store?: LevelStoreOptions;
}

export interface OutboxDrainStats {
  inflight: number;
  sent: number;
  sentBytes: number;
  evictedBytes: number;
}

/**
 * The durable store-and-forward outbox. Everything for the central side is written here first and
 * leaves only when the broker acknowledged it. Only this process may open the LevelDB (it holds
 * the lock); other tools ask the running agent for `stats()`.
 */
export class Outbox implements OutboxWriter {
  private readonly fileChains: Array<Promise<unknown>> = [Promise.resolve(), Promise.resolve(), Promise.resolve()];
  private readonly files: FileTransferContext;

  private constructor(private readonly store: OutboxStore, private readonly drainer: Drainer, opts: OutboxOptions) {
    this.files = { store, chunkBytes: opts.chunkBytes, sign: opts.sign };
  }

  static async open(opts: OutboxOptions): Promise<Outbox> {
    mkdirSync(opts.dir, { recursive: true });
    // The drainer observes the store and reads from it, so it is made once the store is open; the
    // store reports to its observer only on writes and evictions, which come after this returns.
    let drainer: Drainer | undefined;
    const store = await LevelOutboxStore.open(opts.dir, opts.config, opts.logger, {
      sealed: () => drainer?.sealed(),
      isHeld: (key) => drainer?.isHeld(key) ?? false,
      evicted: (keys, bytes) => drainer?.evicted(keys, bytes),
    }, opts.store);
    drainer = new Drainer(store, opts.config.inflight, opts.config.bandwidthBytesPerSecond, opts.logger);
    return new Outbox(store, drainer, opts);
  }

  /** Starts draining through the uplink (now, and after every reconnect). */
  attach(uplink: Uplink): void {
    this.drainer.attach(uplink);
  }

  async enqueueEvent(event: EventBody): Promise<{ id: string; seq: number }> {
    const id = randomUUID();
    // The writer stamps seq after its quota check: the check sizes the message with seq 0, plus room for seq's digits.
    const encode = (seq: number): Buffer => encodeEventMessage(id, seq, event);
    const res = await this.store.put({
      cls: 0,
      kind: 'event',
      seq: true,
      items: [{ topic: EVENTS_TOPIC, json: true, sizeHint: encode(0).length + 16, payload: encode }],
    });
    return { id, seq: res.seq ?? 0 };
  }

  async enqueueJson(kind: 'event' | 'health' | 'response', topic: string, payload: object): Promise<{ id: string }> {
    // Refused here, not at publish time: a message the uplink can never publish would block its class.
    assertRelativeTopic(topic);
    // A payload with its own id (line counts: deterministic, for dedupe) keeps it.
    const own = (payload as { id?: unknown }).id;
    const id = typeof own === 'string' && own ? own : randomUUID();
    await this.store.put({ cls: 0, kind, items: [{ topic, json: true, payload: Buffer.from(JSON.stringify(Object.assign({ id }, payload, { id }))) }] });
    return { id };
  }

  /** A file from memory, or (for big clips) a path streamed from disk so RSS stays flat. */
  enqueueFile(kind: 'clip' | 'snapshot', file: Buffer | string, meta: ClipMeta): Promise<{ id: string }> {
    const id = randomUUID();
    const cls: OutboxClass = classOf(kind);
    // One file at a time per class keeps each file's chunks contiguous (one group) in the queue.
    const run = this.fileChains[cls].then(() =>
      typeof file === 'string' ? enqueuePath(this.files, cls, kind, id, file, meta) : enqueueBuffer(this.files, cls, kind, id, file, meta),
    );
    this.fileChains[cls] = run.catch(() => undefined);
    return run.then(() => ({ id }));
  }

  stats(): OutboxStats {
    return this.store.stats();
  }

  drainStats(): OutboxDrainStats {
    return { inflight: this.drainer.inflightCount, sent: this.drainer.sent, sentBytes: this.drainer.sentBytes, evictedBytes: this.drainer.evictedBytes };
  }

  /** Waits until everything queued so far is written (tests, shutdown). */
  flush(): Promise<void> {
    return this.store.flush();
  }

  async close(): Promise<void> {
    await Promise.all(this.fileChains);
    await this.drainer.stop();
    await this.store.close();
  }
}
