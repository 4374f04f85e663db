import { mkdir } from 'node:fs/promises';
import type { AgentConfig, CameraConfig, CameraSource } from '../config/schema/index.js';
import type { AgentEvents } from '../core/events.js';
import type { TypedBus } from '../core/bus.js';
import type { Logger } from '../core/logger.js';
import { AgentError, toErrorInfo } from '../core/errors.js';
import { backoffDelay } from '../core/backoff.js';
import { CameraErrorCode, type CameraError } from './error-codes.js';
import { buildPlan, recordingDir, type CameraPlan } from './pipeline-plan.js';
import { RateMeter } from '../core/rate-meter.js';
import { recoverPartialSegments } from './segment-files.js';
import type { LaunchedCamera } from './camera-launch.js';
import { startCameraRun, type RunOutcome } from './camera-run.js';
import type { CameraZygote } from './camera-zygote.js';
import { withProbedParser } from './codec-probe.js';
import type { CameraState, CameraStats, VideoFrame } from './types.js';

/** Frames handed to the agent and not yet taken (past the bus's I/O phase) before further ones are dropped. */
export const FRAME_WINDOW = 2;

export interface SupervisorDeps {
  dataDir: string;
  recording: AgentConfig['recording'];
  bus: TypedBus<AgentEvents>;
  logger: Logger;
  resolveOnvif?: (source: Extract<CameraSource, { kind: 'onvif' }>) => Promise<string>;
  /** The agent's camera zygote (camera-zygote.ts), shared by all its cameras. */
  zygote?: CameraZygote;
}

/** Time a graceful stop gets to close the open segment (EOS through the pipeline) before SIGKILL. */
const KILL_GRACE_MS = 5000;
/** Time a started child gets to connect and deliver a first frame, on top of stallTimeoutSeconds. */
const CONNECT_GRACE_MS = 10000;

/**
 * Runs one camera: starts its `gst-launch-1.0` child (camera-launch.ts), watches it (stalls,
 * crashes, errors), restarts it with capped exponential back-off, and turns its output into bus
 * events and stats. One supervisor per camera, so a failing camera never delays another.
 */
export class CameraSupervisor {
  private launched?: LaunchedCamera;
  /** Resolves when the current child is gone and its segments are named. */
  private childGone: Promise<void> = Promise.resolve();
  private generation = 0;
  private state: CameraState = 'connecting';
  private lastError?: CameraError;
  private attempt = 0;
  private reconnects = 0;
  private loops = 0;
  private retryTimer?: NodeJS.Timeout;
  private watchdog?: NodeJS.Timeout;
  private spawnedAt = 0;
  private lastFrameAt = 0;
  private seq = 0;
  private latest?: VideoFrame;
  private decoder = 'unknown';
  private readonly fpsIn = new RateMeter();
  private dropped = 0;
  private inFlight = 0;
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
    this.generation++;
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
      dropped: this.dropped,
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
    // A looping file relaunches at its end: that is not a reconnect, the camera stays streaming.
    if (this.state !== 'streaming') this.setState('connecting');
    const { camera, dataDir, recording } = { camera: this.config, ...this.deps };
    await this.childGone;
    if (camera.record.enabled) {
      for (const segment of await recoverPartialSegments(camera.id, recordingDir(dataDir, camera.id), recording.segmentSeconds)) {
        this.deps.bus.emit('camera.segment', segment);
      }
    }
    let plan: CameraPlan;
    let description: string;
    try {
      const onvifUrl = camera.source.kind === 'onvif' ? await this.resolveOnvif(camera.source) : undefined;
      plan = await buildPlan({ camera, dataDir, recording, onvifUrl, decoderThreads: Number(process.env.EDGE_DECODER_THREADS ?? 0) });
      const parsed = await withProbedParser(plan);
      if (typeof parsed !== 'string') {
        if (gen === this.generation && this.running) this.fail(parsed);
        return;
      }
      description = parsed;
      // splitmuxsink does not create folders.
      if (plan.recordDir) await mkdir(plan.recordDir, { recursive: true });
    } catch (err) {
      if (gen === this.generation && this.running) this.fail(toErrorInfo(err, CameraErrorCode.CONFIG_UNUSABLE));
      return;
    }
    if (gen !== this.generation || !this.running) return;
    this.decoder = plan.decoder;
    // The pipeline at info once; a camera down for days retries every backoff.maxMs (and a looping file relaunches), so those log at debug.
    this.log[this.reconnects === 0 && this.loops === 0 ? 'info' : 'debug']({ pipeline: description, decoder: plan.decoder }, 'starting camera process');
    this.spawnedAt = Date.now();
    this.inFlight = 0;
    const run = startCameraRun({
      camera,
      dataDir,
      plan,
      description,
      log: this.log,
      zygote: this.deps.zygote,
      onFrame: (data) => {
        if (gen === this.generation) this.onFrame(run.launched, data, plan);
      },
      onSegment: (segment) => this.deps.bus.emit('camera.segment', segment),
      onRenameFailed: () => this.segmentRenameFailures++,
    });
    this.launched = run.launched;
    this.childGone = run.ended.then(({ code, signal }) => {
      if (this.launched === run.launched) this.launched = undefined;
      if (gen !== this.generation || !this.running) return;
      this.onChildEnded(plan, run.outcome, code, signal);
    });
    clearInterval(this.watchdog);
    this.watchdog = setInterval(() => this.checkStall(gen), 1000);
    this.watchdog.unref();
  }

  private onChildEnded(plan: CameraPlan, outcome: RunOutcome, code: number | null, signal: NodeJS.Signals | null): void {
    if (outcome.error) return this.fail(outcome.error);
    if (outcome.eos && plan.live) return this.fail({ code: CameraErrorCode.STREAM_ENDED, message: 'the camera ended the stream' });
    if (outcome.eos && plan.loop) {
      // gst-launch cannot seek: a looping file restarts its child at the end, straight away.
      this.loops++;
      void this.launch();
      return;
    }
    if (outcome.eos) {
      clearInterval(this.watchdog);
      this.lastError = { code: CameraErrorCode.STREAM_ENDED, message: 'the video file ended (loop is off)' };
      this.setState('offline', this.lastError);
      return;
    }
    this.fail({ code: CameraErrorCode.PROCESS_CRASHED, message: `camera process exited (${signal ?? `code ${code}`})` });
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

  private onFrame(launched: LaunchedCamera, data: Buffer, plan: CameraPlan): void {
    if (this.inFlight >= FRAME_WINDOW) {
      // The agent has not taken the last frames yet: drop rather than let a backlog grow our memory.
      this.dropped++;
      return;
    }
    this.inFlight++;
    const now = Date.now();
    this.lastFrameAt = now;
    this.fpsIn.mark(now);
    if (this.state !== 'streaming') {
      this.attempt = 0;
      this.setState('streaming');
      this.log.info('camera streaming');
    }
    const frame: VideoFrame = { cameraId: this.id, seq: this.seq++, ts: now, width: plan.width, height: plan.height, format: 'I420', data };
    this.latest = frame;
    this.deps.bus.emit('camera.frame', frame);
    // Taken once the I/O phase has passed: a busy agent naturally drops at the camera instead of queueing.
    setImmediate(() => {
      if (this.launched === launched) this.inFlight--;
    });
  }

  private checkStall(gen: number): void {
    if (gen !== this.generation || !this.launched) return;
    const stallMs = this.config.stallTimeoutSeconds * 1000;
    const now = Date.now();
    if (this.state === 'streaming' && this.lastFrameAt && now - Math.max(this.lastFrameAt, this.spawnedAt) > stallMs) {
      this.fail({ code: CameraErrorCode.STALLED, message: `no frame for ${Math.round((now - Math.max(this.lastFrameAt, this.spawnedAt)) / 1000)} s` });
    } else if (this.state === 'connecting' && now - this.spawnedAt > stallMs + CONNECT_GRACE_MS) {
      this.fail({ code: CameraErrorCode.STALLED, message: `no frame within ${Math.round((now - this.spawnedAt) / 1000)} s of connecting` });
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
    void this.endChild(false);
    const delay = backoffDelay(this.attempt++, this.config.backoff.initialMs, this.config.backoff.maxMs);
    this.log.warn({ code: err.code, error: err.message, retryInMs: delay }, 'camera failed; retrying');
    clearTimeout(this.retryTimer);
    const gen = this.generation;
    this.retryTimer = setTimeout(() => {
      // A stop/start in the meantime has launched (or ended) the camera already.
      if (!this.running || gen !== this.generation) return;
      this.reconnects++;
      void this.launch();
    }, delay);
  }

  /** Graceful: SIGINT, which `-e` turns into an EOS that closes the open segment; SIGKILL if it does not end in time. */
  private async endChild(graceful: boolean): Promise<void> {
    const launched = this.launched;
    const gone = this.childGone;
    if (launched && launched.child.exitCode === null && launched.child.signalCode === null) {
      launched.child.kill(graceful ? 'SIGINT' : 'SIGKILL');
      const timer = setTimeout(() => launched.child.kill('SIGKILL'), KILL_GRACE_MS);
      await launched.closed;
      clearTimeout(timer);
    }
    await gone;
  }
}
