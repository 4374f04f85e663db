import type { AgentConfig, CameraConfig, CameraSource } from '../config/schema/index.js';
import type { TypedBus } from '../core/bus.js';
import type { AgentEvents } from '../core/events.js';
import type { Logger } from '../core/logger.js';
import type { ApplyOutcome, Subsystem } from '../core/subsystem.js';
import { CameraSupervisor } from './camera-supervisor.js';
import { CameraZygote } from './camera-zygote.js';
import { reapStaleCameraProcesses } from './stale-camera-processes.js';
import type { CameraStats, VideoFrame } from './types.js';

export interface CameraManagerOptions {
  cameras: CameraConfig[];
  dataDir: string;
  recording: AgentConfig['recording'];
  bus: TypedBus<AgentEvents>;
  logger: Logger;
  /** ONVIF source → RTSP URL (agent/ingest/onvif/resolve.ts resolveOnvifStreamUri). */
  resolveOnvif?: (source: Extract<CameraSource, { kind: 'onvif' }>) => Promise<string>;
}

/**
 * All cameras of the agent: one supervised process each (docs/ingest.md). Emits camera.frame,
 * camera.state and camera.segment on the bus.
 */
export class CameraManager implements Subsystem {
  readonly name = 'cameras';
  private readonly cameras = new Map<string, CameraSupervisor>();
  private started = false;

  private readonly opts: CameraManagerOptions;
  private readonly zygote: CameraZygote;

  constructor(opts: CameraManagerOptions) {
    this.opts = { ...opts };
    this.zygote = new CameraZygote(opts.dataDir, opts.logger);
    for (const cam of opts.cameras) this.cameras.set(cam.id, this.supervise(cam));
  }

  async start(): Promise<void> {
    // Before our own cameras start: a camera left running by a killed earlier run would hold its
    // memory and its camera's stream (and record into the same folder).
    await reapStaleCameraProcesses(this.opts.dataDir, this.opts.logger);
    this.started = true;
    for (const cam of this.cameras.values()) cam.start();
  }

  async stop(): Promise<void> {
    this.started = false;
    await Promise.all([...this.cameras.values()].map((c) => c.stop()));
    await this.zygote.stop();
  }

  /** Cameras and recording settings are taken live (see update). */
  async apply(next: AgentConfig): Promise<ApplyOutcome> {
    await this.update(next.cameras, next.recording);
    return 'live';
  }

  /**
   * Applies a new camera list: new cameras start, removed ones stop, a changed camera is restarted
   * with its new settings; unchanged cameras are not touched (their process keeps running). Given
   * new `recording` settings, the recording cameras restart with them.
   */
  async update(cameras: CameraConfig[], recording?: AgentConfig['recording']): Promise<void> {
    // New recording settings (segment length) apply to the cameras that record, by restarting them.
    const recordingChanged = recording !== undefined && JSON.stringify(recording) !== JSON.stringify(this.opts.recording);
    if (recordingChanged) this.opts.recording = recording;
    const next = new Map(cameras.map((c) => [c.id, c]));
    const restarting = new Map<string, Promise<void>>();
    for (const [id, sup] of this.cameras) {
      const cfg = next.get(id);
      if (cfg && sameConfig(cfg, sup.config) && !(recordingChanged && cfg.record.enabled)) continue;
      this.cameras.delete(id);
      // The same id writes the same recording folder: the old process finishes its segment first.
      restarting.set(id, sup.stop().then(() => (cfg ? this.add(cfg) : undefined)));
    }
    for (const [id, cfg] of next) if (!this.cameras.has(id) && !restarting.has(id)) this.add(cfg);
    await Promise.all(restarting.values());
  }

  async setEnabled(id: string, on: boolean): Promise<void> {
    await this.cameras.get(id)?.setEnabled(on);
  }

  stats(): Record<string, CameraStats> {
    const out: Record<string, CameraStats> = {};
    for (const [id, cam] of this.cameras) out[id] = cam.stats();
    return out;
  }

  latestFrame(id: string): VideoFrame | undefined {
    return this.cameras.get(id)?.latestFrame();
  }

  private add(cfg: CameraConfig): void {
    const sup = this.supervise(cfg);
    this.cameras.set(cfg.id, sup);
    if (this.started) sup.start();
  }

  private supervise(cfg: CameraConfig): CameraSupervisor {
    const { dataDir, recording, bus, logger, resolveOnvif } = this.opts;
    return new CameraSupervisor(structuredClone(cfg), { dataDir, recording, bus, logger, resolveOnvif, zygote: this.zygote });
  }
}

function sameConfig(a: CameraConfig, b: CameraConfig): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
