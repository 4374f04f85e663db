import { spawn, type ChildProcessByStdio } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import type { Socket } from 'node:net';
import { HELPER_NODE_FLAGS, helperScript } from '../../core/helper-script.js';
import { AgentError } from '../../core/errors.js';
import type { NormBox } from '../../core/object-event.js';
import { INSTALL_ROOT } from '../../core/version.js';
import { toPixelBox } from '../coords.js';
import type { I420Image } from '../image/i420.js';
import type { PixelBox } from '../types.js';
import { MessageReader, REPLY_FIELDS, REPLY_OK, writeMessage } from './jpeg-protocol.js';
import { snapshotI420 } from './render.js';

/** Encodes waiting beyond this are refused: snapshots must never grow memory without bound. */
const MAX_PENDING = 32;
/** An encode takes milliseconds; one this late means GStreamer hangs: the process is replaced. */
const ENCODE_TIMEOUT_MS = 15000;
/** After the process died, snapshots are refused this long rather than respawning it per snapshot. */
const RESPAWN_AFTER_MS = 5000;

/** Small V8 heaps, as for camera processes: the process only shuttles buffers (~72 MB RSS compiled: Node + GStreamer). */
const CHILD = helperScript(__filename, 'jpeg-process');

type JpegProcess = ChildProcessByStdio<Writable, Readable, null>;

interface Pending {
  resolve: (b: Buffer) => void;
  reject: (e: Error) => void;
}

/**
 * Encodes snapshot JPEGs with GStreamer's jpegenc in one child process shared by all cameras
 * (jpeg-process.ts says why a process). The boxes are drawn here on a copy of the frame (render.ts),
 * the process only encodes. Started on first use; `close()` waits for the encodes in flight. The one
 * snapshot encoder: event snapshots (detection) and the live view and snapshot command (runtime)
 * alike, at SNAPSHOT_QUALITY.
 */
export class SnapshotEncoder {
  private child?: JpegProcess;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private closed = false;
  private diedAt = 0;
  private idle?: () => void;
  private watchdog?: NodeJS.Timeout;

  /** Starts the process ahead of the first snapshot (loading GStreamer takes a second on a busy box). */
  warmUp(): void {
    if (!this.closed && Date.now() - this.diedAt >= RESPAWN_AFTER_MS) this.ensureChild();
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
    const since = Date.now() - this.diedAt;
    if (since < RESPAWN_AFTER_MS) {
      return Promise.reject(new AgentError('SNAPSHOT_ENCODER_FAILED', `the JPEG process died ${since} ms ago; it restarts with a snapshot after ${RESPAWN_AFTER_MS / 1000} s`));
    }
    const child = this.ensureChild();
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      writeMessage(child.stdin, [id, frame.width, frame.height], snapshotI420(frame, boxes));
      this.ref(child, true);
      this.armWatchdog();
    });
  }

  /** Resolves once every encode in flight has finished, then stops the process. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.pending.size > 0) await new Promise<void>((resolve) => (this.idle = resolve));
    const child = this.child;
    this.child = undefined;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.stdin.end(); // the process stops its pipeline and exits on end of input
    const kill = setTimeout(() => child.kill('SIGKILL'), 3000);
    await exited;
    clearTimeout(kill);
  }

  private ensureChild(): JpegProcess {
    if (this.child) return this.child;
    const child = spawn(process.execPath, [...CHILD.execArgv, ...HELPER_NODE_FLAGS, CHILD.file], {
      cwd: INSTALL_ROOT,
      // One pull pending at a time: one pool thread is all it uses.
      env: { ...process.env, UV_THREADPOOL_SIZE: '2' },
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    const reader = new MessageReader(REPLY_FIELDS, ([id, status], payload) => {
      const p = this.pending.get(id);
      if (!p) return;
      this.pending.delete(id);
      if (status === REPLY_OK) p.resolve(Buffer.from(payload));
      else p.reject(new AgentError('SNAPSHOT_ENCODE_FAILED', `jpegenc: ${payload.toString('utf8')}`, 'run `edge-agent diag` (gstreamer.elements lists jpegenc when it is missing)'));
      this.settled();
    });
    child.stdout.on('data', (chunk: Buffer) => reader.push(chunk));
    child.stdin.on('error', () => undefined); // EPIPE when the process died: 'exit' reports it
    child.on('error', (err) => this.died(child, `could not start the JPEG process: ${err.message}`));
    child.on('exit', (code, signal) => this.died(child, `the JPEG process exited (${signal ?? `code ${code}`})`));
    this.child = child;
    this.ref(child, false);
    return child;
  }

  private died(child: JpegProcess, why: string): void {
    if (this.child !== child) return;
    this.child = undefined;
    if (!this.closed) this.diedAt = Date.now();
    this.failAll(new AgentError('SNAPSHOT_ENCODER_FAILED', why));
  }

  /** No answer within ENCODE_TIMEOUT_MS: GStreamer hangs; kill the process (its exit fails the waiting encodes). */
  private armWatchdog(): void {
    clearTimeout(this.watchdog);
    this.watchdog = setTimeout(() => this.child?.kill('SIGKILL'), ENCODE_TIMEOUT_MS);
    this.watchdog.unref();
  }

  private failAll(err: Error): void {
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
    this.settled();
  }

  /** An idle process must not keep the agent alive; a waiting close() may go on. */
  private settled(): void {
    if (this.pending.size > 0) return this.armWatchdog();
    clearTimeout(this.watchdog);
    if (this.child) this.ref(this.child, false);
    this.idle?.();
    this.idle = undefined;
  }

  /** The process and its pipes keep the event loop alive only while encodes are waiting. */
  private ref(child: JpegProcess, on: boolean): void {
    for (const h of [child, child.stdin as unknown as Socket, child.stdout as unknown as Socket]) {
      if (on) h.ref();
      else h.unref();
    }
  }
}
