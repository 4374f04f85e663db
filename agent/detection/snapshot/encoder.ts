import type { Socket } from 'node:net';
import { spawnPiped, type PipedChild } from '../../core/child-spawn.js';
import { AgentError } from '../../core/errors.js';
import { GdpReader } from '../../core/gdp.js';
import { writeGdpBuffer, writeGdpCaps, writeGdpStart } from '../../core/gdp-writer.js';
import { dyingWithAgent, GST_LAUNCH, gstReason, OWN_PROCESS_GROUP } from '../../core/gst-launch.js';
import type { NormBox } from '../../core/object-event.js';
import { toPixelBox } from '../coords.js';
import type { I420Image } from '../image/i420.js';
import type { PixelBox } from '../types.js';
import { JPEG_LAUNCH_ARGS, jpegInputCaps } from './jpeg-pipeline.js';
import { snapshotI420 } from './render.js';

/** Encodes waiting beyond this are refused: snapshots must never grow memory without bound. */
const MAX_PENDING = 32;
/** An encode takes milliseconds; one this late means GStreamer hangs: the process is replaced. */
const ENCODE_TIMEOUT_MS = 15000;
/** After the process died, snapshots are refused this long rather than respawning it per snapshot. */
const RESPAWN_AFTER_MS = 5000;
/** Enough of gst-launch's stderr to hold GStreamer's last error. */
const STDERR_TAIL = 4096;

type JpegProcess = PipedChild;

interface Pending {
  resolve: (b: Buffer) => void;
  reject: (e: Error) => void;
}

interface Running {
  child: JpegProcess;
  /** The caps last sent, undefined before the first frame (the stream is opened with it). */
  caps?: string;
  stderr: string;
}

/**
 * Encodes snapshot JPEGs with GStreamer's jpegenc in one `gst-launch-1.0` child shared by all cameras
 * (jpeg-pipeline.ts): a native crash or hang there loses the snapshots in flight, never the uplink,
 * the outbox or a camera, and no second V8 is paid for it. The boxes are drawn here on a copy of the
 * frame (render.ts), the child only encodes, one JPEG per frame in the order sent. Started on first
 * use; `close()` waits for the encodes in flight. The one snapshot encoder: event snapshots
 * (detection) and the live view and snapshot command (runtime) alike, at SNAPSHOT_QUALITY.
 */
export class SnapshotEncoder {
  private running?: Running;
  private readonly pending: Pending[] = [];
  private closed = false;
  private diedAt = 0;
  private idle?: () => void;
  private watchdog?: NodeJS.Timeout;

  /** Starts the process ahead of the first snapshot. */
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
    if (this.pending.length >= MAX_PENDING) {
      return Promise.reject(new AgentError('SNAPSHOT_BACKLOG', `${MAX_PENDING} snapshots already waiting to be encoded`, 'the box is overloaded; lower detect fps or the number of cameras'));
    }
    const since = Date.now() - this.diedAt;
    if (since < RESPAWN_AFTER_MS) {
      return Promise.reject(new AgentError('SNAPSHOT_ENCODER_FAILED', `the JPEG process died ${since} ms ago; it restarts with a snapshot after ${RESPAWN_AFTER_MS / 1000} s`));
    }
    const running = this.ensureChild();
    return new Promise((resolve, reject) => {
      this.pending.push({ resolve, reject });
      const caps = jpegInputCaps(frame.width, frame.height);
      const stdin = running.child.stdin;
      if (running.caps === undefined) writeGdpStart(stdin, 'snapshots', caps);
      else if (running.caps !== caps) writeGdpCaps(stdin, caps);
      running.caps = caps;
      writeGdpBuffer(stdin, snapshotI420(frame, boxes));
      this.ref(running.child, true);
      this.armWatchdog();
    });
  }

  /** Resolves once every encode in flight has finished, then stops the process. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.pending.length > 0) await new Promise<void>((resolve) => (this.idle = resolve));
    const child = this.running?.child;
    this.running = undefined;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
    child.stdin.end(); // end of input is end of stream: gst-launch finishes and exits
    const kill = setTimeout(() => child.kill('SIGKILL'), 3000);
    await exited;
    clearTimeout(kill);
  }

  private ensureChild(): Running {
    if (this.running) return this.running;
    const launch = dyingWithAgent(GST_LAUNCH, JPEG_LAUNCH_ARGS);
    const child = spawnPiped(launch.command, launch.args, OWN_PROCESS_GROUP);
    const running: Running = { child, stderr: '' };
    const reader = new GdpReader();
    child.stdout.on('data', (chunk: Buffer) => {
      let packets;
      try {
        packets = reader.push(chunk);
      } catch {
        child.kill('SIGKILL'); // a broken stream: its exit fails the waiting encodes
        return;
      }
      for (const packet of packets) {
        if (packet.kind !== 'buffer') continue; // the JPEG caps, when the size changed
        // A copy: the packet may be a view into a larger read the next JPEGs share.
        this.pending.shift()?.resolve(Buffer.from(packet.data));
        this.settled();
      }
    });
    child.stderr.on('data', (b: Buffer) => (running.stderr = (running.stderr + b.toString()).slice(-STDERR_TAIL)));
    child.stdin.on('error', () => undefined); // EPIPE when the process died: 'close' reports it
    child.on('error', (err) => this.died(running, new AgentError('SNAPSHOT_ENCODER_FAILED', `could not start the JPEG process (${GST_LAUNCH}): ${err.message}`)));
    child.on('close', (code, signal) => this.died(running, exitError(code, signal, running.stderr)));
    this.running = running;
    this.ref(child, false);
    return running;
  }

  private died(running: Running, err: AgentError): void {
    if (this.running !== running) return;
    this.running = undefined;
    if (!this.closed) this.diedAt = Date.now();
    this.failAll(err);
  }

  /** No answer within ENCODE_TIMEOUT_MS: GStreamer hangs; kill the process (its exit fails the waiting encodes). */
  private armWatchdog(): void {
    clearTimeout(this.watchdog);
    this.watchdog = setTimeout(() => this.running?.child.kill('SIGKILL'), ENCODE_TIMEOUT_MS);
    this.watchdog.unref();
  }

  private failAll(err: Error): void {
    for (const p of this.pending.splice(0)) p.reject(err);
    this.settled();
  }

  /** An idle process must not keep the agent alive; a waiting close() may go on. */
  private settled(): void {
    if (this.pending.length > 0) return this.armWatchdog();
    clearTimeout(this.watchdog);
    if (this.running) this.ref(this.running.child, false);
    this.idle?.();
    this.idle = undefined;
  }

  /** The process and its pipes keep the event loop alive only while encodes are waiting. */
  private ref(child: JpegProcess, on: boolean): void {
    for (const h of [child, child.stdin as unknown as Socket, child.stdout as unknown as Socket, child.stderr as unknown as Socket]) {
      if (on) h.ref();
      else h.unref();
    }
  }
}

/**
 * Why the process ended: GStreamer stopping with an error of its own (e.g. jpegenc missing, the
 * pipeline refused) is SNAPSHOT_ENCODE_FAILED with its reason; a kill, crash or plain exit is
 * SNAPSHOT_ENCODER_FAILED.
 */
function exitError(code: number | null, signal: NodeJS.Signals | null, stderr: string): AgentError {
  const how = signal ?? `code ${code}`;
  if (code !== null && code !== 0 && stderr.trim()) {
    return new AgentError('SNAPSHOT_ENCODE_FAILED', `the JPEG process (${GST_LAUNCH}) stopped: ${gstReason(stderr, `exited with ${how}`)}`, 'run `edge-agent diag` (gstreamer.elements lists jpegenc when it is missing)');
  }
  return new AgentError('SNAPSHOT_ENCODER_FAILED', `the JPEG process exited (${how})`);
}
