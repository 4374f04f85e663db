import { extname, join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { AgentError } from '../../core/errors.js';
import type { NormBox } from '../../core/object-event.js';
import { toPixelBox } from '../coords.js';
import type { I420Image } from '../image/i420.js';
import type { PixelBox } from '../types.js';

export interface SnapshotJob {
  id: number;
  width: number;
  height: number;
  data: Uint8Array;
  boxes: readonly PixelBox[];
}

export type SnapshotReply = { id: number; jpeg: Uint8Array } | { id: number; error: string };

/** Encodes waiting beyond this are refused: snapshots must never grow memory without bound. */
const MAX_PENDING = 32;

function spawn(): Worker {
  const file = join(__dirname, `worker${extname(__filename)}`);
  if (extname(__filename) === '.ts') return new Worker(`require('tsx/cjs'); require(${JSON.stringify(file)});`, { eval: true });
  return new Worker(file);
}

/**
 * Encodes snapshot JPEGs in one worker thread shared by all cameras, so a burst of ending events
 * never stalls the event loop that carries frames, the outbox and the uplink. Started on first use;
 * `close()` waits for the encodes in flight. The one snapshot encoder: event snapshots (detection)
 * and the live view and snapshot command (runtime) alike, at SNAPSHOT_QUALITY.
 */
export class SnapshotEncoder {
  private worker?: Worker;
  private readonly pending = new Map<number, { resolve: (b: Buffer) => void; reject: (e: Error) => void }>();
  private nextId = 1;
  private closed = false;
  private idle?: () => void;

  /** Starts the worker ahead of the first snapshot (loading it takes seconds on a busy box). */
  warmUp(): void {
    if (!this.closed) this.ensureWorker();
  }

  /** The frame with boxes reported outside detection (0..1, e.g. the status page's live boxes). */
  encode(frame: I420Image, boxes: readonly NormBox[]): Promise<Buffer> {
    return this.encodePixels(frame, boxes.map((b) => toPixelBox(b, frame)));
  }

  /** The frame with boxes in its pixels (detection's own, e.g. an event's best sighting). */
  encodePixels(frame: I420Image, boxes: readonly PixelBox[]): Promise<Buffer> {
    if (this.closed) return Promise.reject(new AgentError('SNAPSHOT_CLOSED', 'snapshot encoder is closed'));
    if (this.pending.size >= MAX_PENDING) {
      return Promise.reject(new AgentError('SNAPSHOT_BACKLOG', `${MAX_PENDING} snapshots already waiting to be encoded`, 'the box is overloaded; lower detect fps or the number of cameras'));
    }
    const worker = this.ensureWorker();
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      const job: SnapshotJob = { id, width: frame.width, height: frame.height, data: frame.data, boxes };
      worker.postMessage(job);
      worker.ref();
    });
  }

  /** Resolves once every encode in flight has finished, then stops the worker. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.pending.size > 0) await new Promise<void>((resolve) => (this.idle = resolve));
    await this.worker?.terminate();
    this.worker = undefined;
  }

  private ensureWorker(): Worker {
    if (this.worker) return this.worker;
    const worker = spawn();
    worker.on('message', (reply: SnapshotReply) => {
      const p = this.pending.get(reply.id);
      if (!p) return;
      this.pending.delete(reply.id);
      if ('jpeg' in reply) p.resolve(Buffer.from(reply.jpeg.buffer, reply.jpeg.byteOffset, reply.jpeg.byteLength));
      else p.reject(new AgentError('SNAPSHOT_ENCODE_FAILED', reply.error));
      this.settled();
    });
    worker.on('error', (err) => this.failAll(new AgentError('SNAPSHOT_WORKER_FAILED', `snapshot worker failed: ${err.message}`)));
    worker.on('exit', () => {
      if (this.worker === worker) this.worker = undefined;
      this.failAll(new AgentError('SNAPSHOT_WORKER_FAILED', 'snapshot worker exited'));
    });
    worker.unref();
    this.worker = worker;
    return worker;
  }

  private failAll(err: Error): void {
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
    this.settled();
  }

  /** An idle worker must not keep the process alive; a waiting close() may go on. */
  private settled(): void {
    if (this.pending.size > 0) return;
    this.worker?.unref();
    this.idle?.();
    this.idle = undefined;
  }
}
