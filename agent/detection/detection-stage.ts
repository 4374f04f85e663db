import type { AgentConfig, CameraConfig } from '../config/schema/index.js';
import type { TypedBus } from '../core/bus.js';
import type { AgentEvents } from '../core/events.js';
import type { Logger } from '../core/logger.js';
import type { VideoFrame } from '../ingest/types.js';
import { CameraDetection, type CameraDetectionStats, type FrameOutcome, type LatestDetection } from './stage/camera-detection.js';
import type { DetectorLike } from './stage/detector-like.js';
import { SnapshotEncoder } from './snapshot/encoder.js';

export type { CameraDetectionStats, LatestDetection, FrameOutcome } from './stage/camera-detection.js';
export type { DetectorLike } from './stage/detector-like.js';

export interface DetectionStageOptions<S> {
  config: AgentConfig;
  bus: TypedBus<AgentEvents>;
  detector: DetectorLike<S>;
  logger: Logger;
  /** Wall clock (ms); injectable for schedule tests. */
  now?: () => number;
}

export interface DetectionStageStats<S> {
  cameras: Record<string, CameraDetectionStats>;
  detector: S;
}

/** How often open tracks are checked for expiry when a camera sends no frames. */
const EXPIRY_TICK_MS = 1000;

/**
 * Runs object detection for every camera that has it enabled: takes `camera.frame` from the bus,
 * runs each camera's loop (one CameraDetection per camera, all sharing ONE detector) and publishes
 * `detection.event`, `detection.snapshot` and `detection.counts` (line counts per interval).
 */
export class DetectionStage<S = unknown> {
  private readonly cameras = new Map<string, { key: string; loop: CameraDetection }>();
  private readonly now: () => number;
  private readonly unsubscribe: () => void;
  private readonly timer: NodeJS.Timeout;
  private readonly snapshots = new SnapshotEncoder();

  constructor(private readonly o: DetectionStageOptions<S>) {
    this.now = o.now ?? Date.now;
    this.apply(o.config);
    if (this.cameras.size > 0) this.snapshots.warmUp();
    this.unsubscribe = o.bus.on('camera.frame', (frame) => void this.handle(frame));
    this.timer = setInterval(() => {
      for (const { loop } of this.cameras.values()) loop.tick();
    }, EXPIRY_TICK_MS);
    this.timer.unref();
  }

  /**
   * Runs one frame through its camera's loop. The bus listener calls this without waiting; tests
   * and benchmarks may await it to pace frames by the detector.
   */
  async handle(frame: VideoFrame): Promise<FrameOutcome> {
    const cam = this.cameras.get(frame.cameraId);
    if (!cam) return 'ignored';
    return cam.loop.onFrame(frame);
  }

  /**
   * Takes a new config (provisioning). Cameras whose detection settings are unchanged keep their
   * tracks; a changed, removed or disabled camera ends its open events first.
   */
  update(config: AgentConfig): void {
    this.apply(config);
    if (this.cameras.size > 0) this.snapshots.warmUp();
  }

  /** Per camera `{detectFps, motionPercent, skipped, processed, scheduled}` and the detector's stats. */
  stats(): DetectionStageStats<S> {
    const cameras: Record<string, CameraDetectionStats> = {};
    for (const [id, { loop }] of this.cameras) cameras[id] = loop.stats();
    return { cameras, detector: this.o.detector.stats() };
  }

  /** The last processed frame's reported boxes and the latest snapshot, for the status page. */
  latest(cameraId: string): LatestDetection | undefined {
    return this.cameras.get(cameraId)?.loop.latest();
  }

  /** Stops listening and ends every open event; resolves once their snapshots are out. */
  async stop(): Promise<void> {
    this.unsubscribe();
    clearInterval(this.timer);
    for (const { loop } of this.cameras.values()) loop.stop();
    this.cameras.clear();
    await this.snapshots.close();
  }

  private apply(config: AgentConfig): void {
    const wanted = new Map<string, { camera: CameraConfig; key: string }>();
    if (config.detection.enabled) {
      for (const camera of config.cameras) {
        if (!camera.enabled || !camera.detect.enabled) continue;
        wanted.set(camera.id, { camera, key: detectionKey(config, camera) });
      }
    }
    for (const [id, cur] of this.cameras) {
      if (wanted.get(id)?.key === cur.key) continue;
      cur.loop.stop();
      this.cameras.delete(id);
    }
    for (const [id, { camera, key }] of wanted) {
      if (this.cameras.has(id)) continue;
      this.warnUnknownLabels(camera, config);
      const loop = new CameraDetection({
        camera,
        detection: config.detection,
        analytics: config.analytics,
        detector: this.o.detector,
        logger: this.o.logger,
        now: this.now,
        snapshots: this.snapshots,
        emitEvent: (ev) => this.o.bus.emit('detection.event', ev),
        emitSnapshot: (s) => this.o.bus.emit('detection.snapshot', s),
        emitCounts: (r) => this.o.bus.emit('detection.counts', r),
      });
      this.cameras.set(id, { key, loop });
    }
  }

  /** A label the model never produces can never make an event: say so instead of staying silent. */
  private warnUnknownLabels(camera: CameraConfig, config: AgentConfig): void {
    const known = this.o.detector.labels;
    if (!known) return;
    const unknown = (camera.objects.track ?? config.detection.labels).filter((l) => !known.includes(l));
    if (unknown.length === 0) return;
    this.o.logger.warn(
      { camera: camera.id, labels: unknown, code: 'DETECTION_UNKNOWN_LABEL', remedy: `use labels the model knows (${known.slice(0, 8).join(', ')}${known.length > 8 ? ', …' : ''}; its manifest lists them), or set detection.model to one that has them (models/centernet-512x288.manifest.json: all 80 COCO labels)` },
      'tracked labels the detector model never produces',
    );
  }
}

/** Everything a camera's detection loop is built from; a change to any of it rebuilds the loop. */
function detectionKey(config: AgentConfig, camera: CameraConfig): string {
  const { model: _m, threads: _t, queueSize: _q, ...detection } = config.detection;
  const { detect, motionMasks, objectMasks, zones, objects, lines } = camera;
  return JSON.stringify({ detection, analytics: config.analytics, detect, motionMasks, objectMasks, zones, objects, lines });
}
