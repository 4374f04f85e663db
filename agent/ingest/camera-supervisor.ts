import type { ChildProcess } from 'node:child_process';
import type { AgentConfig, CameraConfig, CameraSource } from '../config/schema/index.js';
import type { AgentEvents } from '../core/events.js';
import type { TypedBus } from '../core/bus.js';
import type { Logger } from '../core/logger.js';
import { AgentError, toErrorInfo } from '../core/errors.js';
import { backoffDelay } from '../core/backoff.js';
import { CameraErrorCode, type CameraError } from './error-codes.js';
import { FRAME_WINDOW, type FromCamera, type ToCamera } from './ipc.js';
import { buildPlan, recordingDir, type CameraPlan } from './pipeline-plan.js';
import { RateMeter } from '../core/rate-meter.js';
import { recoverPartialSegments } from './segment-files.js';
import { describeSource, forkCameraProcess } from './camera-child.js';
import type { CameraState, CameraStats, VideoFrame } from './types.js';

export interface SupervisorDeps {
  dataDir: string;
  recording: AgentConfig['recording'];
  bus: TypedBus<AgentEvents>;
  logger: Logger;
  resolveOnvif?: (source: Extract<CameraSource, { kind: 'onvif' }>) => Promise<string>;
}

/** Longer than the process's own 3 s EOS grace, so a graceful stop can finish the open segment. */
const KILL_GRACE_MS = 5000;
/** Time a new process gets to start and load GStreamer (slow on a busy box, seconds under tsx). */
const LOAD_TIMEOUT_MS = 60000;
/** Time a loaded process gets to connect and deliver a first frame, on top of stallTimeoutSeconds. */
const CONNECT_GRACE_MS = 10000;

/**
 * Runs one camera: forks its process, watches it (stalls, crashes, errors), restarts it with capped
 * exponential back-off, and turns its messages into bus events and stats. One supervisor per camera,
 * so a failing camera never delays another.
 */
export class CameraSupervisor {
  private child?: ChildProcess;
  private generation = 0;
  private state: CameraState = 'connecting';
  private lastError?: CameraError;
  private attempt = 0;
  private reconnects = 0;
  private retryTimer?: NodeJS.Timeout;
  private watchdog?: NodeJS.Timeout;
  private spawnedAt = 0;
  private loadedAt = 0;
  private lastFrameAt = 0;
  private seq = 0;
  private latest?: VideoFrame;
  private decoder = 'unknown';
  private readonly fpsIn = new RateMeter();
  /** Drops of earlier processes plus the agent's own; the live process reports its own totals. */
  private droppedBase = 0;
  private childDropped = 0;
  private creditOut = 0;
  private segmentRenameFailures = 0;
  private running = false;
  private readonly log: Logger;

  constructor(
    readonly config: CameraConfig,
    private readonly deps: SupervisorDeps,
  ) {
    this.log = deps.logger.child({ camera: config.id });
  }

  get id(): string {
    return this.config.id;
  }

  start(): void {
    if (this.running) return;
    if (!this.config.enabled) {
      this.setState('disabled');
      return;
    }
    this.running = true;
    this.attempt = 0;
    // Announce the start, so listeners see every camera's state from the beginning.
    this.setState('connecting', undefined, true);
    void this.launch();
  }

  async stop(): Promise<void> {
    this.running = false;
    clearTimeout(this.retryTimer);
    clearInterval(this.watchdog);
    this.retryTimer = undefined;
    await this.endChild(true);
  }

  async setEnabled(on: boolean): Promise<void> {
    this.config.enabled = on;
    if (on) {
      this.start();
    } else {
      await this.stop();
      this.setState('disabled');
    }
  }

  stats(): CameraStats {
    const now = Date.now();
    return {
      state: this.state,
      fpsIn: this.fpsIn.rate(now),
      dropped: this.droppedBase + this.childDropped,
      reconnects: this.reconnects,
      lastFrameAgeMs: this.lastFrameAt ? now - this.lastFrameAt : null,
      decoder: this.decoder,
      segmentRenameFailures: this.segmentRenameFailures,
      ...(this.lastError ? { lastError: { ...this.lastError } } : {}),
    };
  }

  latestFrame(): VideoFrame | undefined {
    return this.latest;
  }

  private setState(state: CameraState, error?: CameraError, force = false): void {
    if (state === this.state && !error && !force) return;
    this.state = state;
    this.deps.bus.emit('camera.state', { cameraId: this.id, state, ...(error ? { error } : {}) });
  }

  private async launch(): Promise<void> {
    const gen = ++this.generation;
    this.setState('connecting');
    const { camera, dataDir, recording } = { camera: this.config, ...this.deps };
    if (camera.record.enabled) {
      for (const segment of await recoverPartialSegments(camera.id, recordingDir(dataDir, camera.id), recording.segmentSeconds)) {
        this.deps.bus.emit('camera.segment', segment);
      }
    }
    let plan: CameraPlan;
    try {
      const onvifUrl = camera.source.kind === 'onvif' ? await this.resolveOnvif(camera.source) : undefined;
      plan = await buildPlan({ camera, dataDir, recording, onvifUrl, decoderThreads: Number(process.env.EDGE_DECODER_THREADS ?? 0) });
    } catch (err) {
      if (gen === this.generation && this.running) this.fail(toErrorInfo(err, CameraErrorCode.CONFIG_UNUSABLE));
      return;
    }
    if (gen !== this.generation || !this.running) return;
    this.decoder = plan.decoder;
    // The pipeline at info once; a camera down for days retries every backoff.maxMs, so retries log at debug.
    this.log[this.reconnects === 0 ? 'info' : 'debug']({ pipeline: plan.pipeline, decoder: plan.decoder }, 'starting camera process');
    const child = forkCameraProcess(this.config.id, dataDir);
    this.child = child;
    this.spawnedAt = Date.now();
    this.loadedAt = 0;
    this.childDropped = 0;
    this.creditOut = FRAME_WINDOW;
    let ended = false;
    let reported: CameraError | undefined;
    child.on('message', (msg: FromCamera) => {
      if (gen !== this.generation) return;
      switch (msg.type) {
        case 'frame':
          this.onFrame(child, msg);
          break;
        case 'loaded':
          this.loadedAt = Date.now();
          break;
        case 'segment':
          this.deps.bus.emit('camera.segment', msg.segment);
          break;
        case 'segment-failed':
          this.segmentRenameFailures++;
          this.log.warn({ code: CameraErrorCode.SEGMENT_RENAME_FAILED, file: msg.file, error: msg.message }, 'recording segment not closed under its final name: clips and retention do not see it');
          break;
        case 'counters':
          this.childDropped = msg.droppedInPipeline + msg.droppedNoCredit;
          break;
        case 'error':
          reported = { code: msg.code, message: `${describeSource(this.config.source)}: ${msg.message}` };
          break;
        case 'ended':
          ended = true;
          break;
        case 'log':
          this.log[msg.level](msg.message);
          break;
        default:
      }
    });
    child.on('error', (err) => this.log.warn({ err: err.message }, 'camera process error'));
    child.once('exit', (code, signal) => {
      if (this.child === child) this.child = undefined;
      this.droppedBase += this.childDropped;
      this.childDropped = 0;
      if (gen !== this.generation || !this.running) return;
      if (ended) {
        clearInterval(this.watchdog);
        this.lastError = { code: CameraErrorCode.STREAM_ENDED, message: 'the video file ended (loop is off)' };
        this.setState('offline', this.lastError);
        return;
      }
      this.fail(reported ?? { code: CameraErrorCode.PROCESS_CRASHED, message: `camera process exited (${signal ?? `code ${code}`})` });
    });
    this.send(child, { type: 'start', plan, window: FRAME_WINDOW });
    clearInterval(this.watchdog);
    this.watchdog = setInterval(() => this.checkStall(gen), 1000);
    this.watchdog.unref();
  }

  private async resolveOnvif(source: Extract<CameraSource, { kind: 'onvif' }>): Promise<string> {
    if (!this.deps.resolveOnvif) throw new AgentError(CameraErrorCode.ONVIF_RESOLVE_FAILED, 'no ONVIF resolver is configured', 'use an rtsp source');
    try {
      return await this.deps.resolveOnvif(source);
    } catch (err) {
      if (err instanceof AgentError) throw err;
      throw new AgentError(CameraErrorCode.ONVIF_RESOLVE_FAILED, `cannot get the stream URL from ${source.host}: ${(err as Error).message}`, 'check the camera address, port and credentials', { cause: err });
    }
  }

  private onFrame(child: ChildProcess, msg: Extract<FromCamera, { type: 'frame' }>): void {
    if (this.creditOut <= 0) {
      // The process ignored flow control: drop rather than let a flood grow our memory.
      this.droppedBase++;
      return;
    }
    this.creditOut--;
    const now = Date.now();
    this.lastFrameAt = now;
    this.fpsIn.mark(now);
    if (this.state !== 'streaming') {
      this.attempt = 0;
      this.setState('streaming');
      this.log.info('camera streaming');
    }
    const frame: VideoFrame = { cameraId: this.id, seq: this.seq++, ts: msg.ts, width: msg.width, height: msg.height, format: 'I420', data: msg.data };
    this.latest = frame;
    this.deps.bus.emit('camera.frame', frame);
    // Credit goes back after the I/O phase: a busy agent naturally slows the process down (it drops).
    setImmediate(() => {
      if (this.child !== child) return;
      this.creditOut++;
      this.send(child, { type: 'ack' });
    });
  }

  private checkStall(gen: number): void {
    if (gen !== this.generation || !this.child) return;
    const stallMs = this.config.stallTimeoutSeconds * 1000;
    const now = Date.now();
    if (this.state === 'streaming' && now - this.lastFrameAt > stallMs) {
      this.fail({ code: CameraErrorCode.STALLED, message: `no frame for ${Math.round((now - this.lastFrameAt) / 1000)} s` });
    } else if (this.state === 'connecting' && !this.loadedAt && now - this.spawnedAt > LOAD_TIMEOUT_MS) {
      this.fail({ code: CameraErrorCode.PROCESS_CRASHED, message: `camera process did not start within ${LOAD_TIMEOUT_MS / 1000} s` });
    } else if (this.state === 'connecting' && this.loadedAt && now - this.loadedAt > stallMs + CONNECT_GRACE_MS) {
      this.fail({ code: CameraErrorCode.STALLED, message: `no frame within ${Math.round((now - this.loadedAt) / 1000)} s of connecting` });
    }
  }

  /** Records the error, ends the process and schedules the next attempt. */
  private fail(error: CameraError): void {
    const err: CameraError = { code: error.code, message: error.message };
    this.generation++;
    clearInterval(this.watchdog);
    this.lastError = err;
    this.setState('offline', err);
    // The next process starts only once this one is gone: it must not rename a segment still being written.
    const ended = this.endChild(false);
    const delay = backoffDelay(this.attempt++, this.config.backoff.initialMs, this.config.backoff.maxMs);
    this.log.warn({ code: err.code, error: err.message, retryInMs: delay }, 'camera failed; retrying');
    clearTimeout(this.retryTimer);
    const gen = this.generation;
    this.retryTimer = setTimeout(() => {
      void ended.then(() => {
        // A stop/start in the meantime has launched (or ended) the camera already.
        if (!this.running || gen !== this.generation) return;
        this.reconnects++;
        void this.launch();
      });
    }, delay);
  }

  /** Graceful: ask the process to close its segment and exit; SIGKILL if it does not in time. */
  private async endChild(graceful: boolean): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    if (graceful && child.connected) this.send(child, { type: 'stop' });
    else child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), KILL_GRACE_MS);
    await exited;
    clearTimeout(timer);
  }

  private send(child: ChildProcess, msg: ToCamera): void {
    if (!child.connected) return;
    try {
      child.send(msg);
    } catch (err) {
      this.log.warn({ err: (err as Error).message }, 'cannot reach camera process');
    }
  }
}
