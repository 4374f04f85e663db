import type { AgentConfig, CameraConfig } from '../../config/schema/index.js';
import { toErrorInfo } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import { dominantColourI420 } from '../../analytics/colour.js';
import type { LineCountReport, NormBox, ObjectEvent, Snapshot } from '../../core/object-event.js';
import { RateMeter } from '../../core/rate-meter.js';
import type { VideoFrame } from '../../ingest/types.js';
import { nms } from '../detector/nms.js';
import { MotionDetector } from '../motion/index.js';
import { pixelBox } from '../coords.js';
import { planRegions } from '../regions.js';
import { BestFrames } from '../snapshot/best-frames.js';
import type { SnapshotEncoder } from '../snapshot/encoder.js';
import { objectPolicy } from '../tracking/filters.js';
import { ObjectTracker, type TrackerStep } from '../tracking/tracker.js';
import type { DetectorLike } from './detector-like.js';
import { inSchedule } from './schedule.js';
import { TrackAnalytics } from './track-analytics.js';

/** Boxes of one label overlapping more than this across regions are the same object. */
const MERGE_IOU = 0.5;
/**
 * Rate gate jitter allowance, as a share of the detect interval: a frame may come this much earlier than
 * its due time. Ingest already delivers at the detect rate (videorate), but decoding and IPC make the
 * gaps uneven (160/240 ms for 5 fps out of 12.5 fps); a gate on the gap to the previous frame ate up to 18 %
 * of the frames of a busy 4-camera box while counting none of them.
 */
const RATE_JITTER = 0.5;

export interface CameraDetectionStats {
  /** Frames fully processed per second (last 5 s): the camera's processed frame rate. */
  detectFps: number;
  /** Share of the frame moving in the last processed frame, 0..100. */
  motionPercent: number;
  /** Frames not detected: the previous one was still in detection, or the shared detector dropped the frame's job. */
  skipped: number;
  /** Frames ignored because the camera delivers more than `detect.fps` (normally 0: ingest paces it). */
  overRate: number;
  /** Frames fully processed (motion, detection, tracking). */
  processed: number;
  /** Inside the camera's detect schedule right now. */
  scheduled: boolean;
  /** Tracks inside each zone now, per label (only for a camera with zones). */
  zoneOccupancy?: Record<string, Record<string, number>>;
}

export interface LatestDetection {
  /** Capture time of the last processed frame. */
  ts: number;
  /** Reported objects seen in that frame (0..1 boxes: they leave detection for the status page). */
  boxes: { label: string; score: number; box: NormBox }[];
  /** JPEG of this camera's most recent finished event. */
  snapshot?: Buffer;
  /** The count interval running now and each line's counts so far (cameras with lines). */
  lineCounts?: { from: string; counts: Record<string, Record<string, { ab: number; ba: number }>> };
}

export interface CameraDetectionOptions {
  camera: CameraConfig;
  detection: AgentConfig['detection'];
  analytics: AgentConfig['analytics'];
  detector: DetectorLike;
  logger: Logger;
  now: () => number;
  /** Shared by all cameras: encodes off the event loop. */
  snapshots: SnapshotEncoder;
  emitEvent: (ev: ObjectEvent) => void;
  emitSnapshot: (s: Snapshot) => void;
  /** An interval's line counts (cameras[].lines), every analytics.countIntervalSeconds per line. */
  emitCounts: (r: LineCountReport) => void;
}

export type FrameOutcome = 'processed' | 'skipped' | 'ignored';

/**
 * One camera's detection loop: motion → regions (motion boxes and tracked objects) → the shared
 * detector → merge (NMS) → tracker → events and snapshots, all in pixels of the detect frame (the
 * tracker hands out 0..1 boxes in events and `visible`). At most one frame of a
 * camera is in detection at a time and at most one more waits for it (the newest: an older waiting
 * frame is skipped and counted), so inference jitter costs no frame while a detector that is too
 * slow never builds a per-camera backlog.
 */
export class CameraDetection {
  /** Built for the first frame's size (the tracker's pixels are of it); rebuilt if the size changes. */
  private tracker?: ObjectTracker;
  /** Lines, zone speed and dwell, heading: built with the tracker (same frame). */
  private analytics?: TrackAnalytics;
  private readonly best = new BestFrames();
  private readonly rate = new RateMeter();
  private motion?: MotionDetector;
  private busy = false;
  private waiting?: { frame: VideoFrame; resolve: (outcome: FrameOutcome) => void };
  /** When the next frame is due (GCRA's theoretical arrival time): the gate holds the long-run rate to detect.fps. */
  private nextDueTs = -Infinity;
  private overRate = 0;
  private lastFrame?: { ts: number; arrivedAt: number };
  private motionPercent = 0;
  private skipped = 0;
  private processed = 0;
  private scheduled = true;
  private latestView?: LatestDetection;
  private latestSnapshot?: Buffer;
  private lastErrorCode?: string;
  private stopped = false;

  /** What the region planner needs of the model (fixed for the detector's life). */
  private readonly model: { width: number; height: number; windowStride?: number };

  constructor(private readonly o: CameraDetectionOptions) {
    this.model = { ...o.detector.inputSize, windowStride: o.detector.windowStride };
  }

  async onFrame(frame: VideoFrame): Promise<FrameOutcome> {
    if (this.stopped) return 'ignored';
    const now = this.o.now();
    this.scheduled = inSchedule(this.o.camera.detect.schedule, new Date(now));
    if (!this.scheduled) {
      // Leaving the window ends what was being followed: nobody watches it any more. The motion
      // background would be hours old when the window opens again: start it afresh then.
      if (this.tracker) this.publishWithoutFrame(this.tracker.endAll(frame.ts), frame.ts);
      this.motion = undefined;
      return 'ignored';
    }
    if (!this.admit(frame.ts)) {
      this.overRate++;
      return 'ignored';
    }
    return new Promise<FrameOutcome>((resolve) => {
      if (!this.busy) {
        void this.runFrom({ frame, resolve });
        return;
      }
      if (this.waiting) {
        this.skipped++;
        this.waiting.resolve('skipped');
      }
      this.waiting = { frame, resolve };
    });
  }

  /**
   * Generic cell rate algorithm: a frame is admitted unless it comes more than RATE_JITTER of an
   * interval before it is due, and each admitted frame moves the due time one interval on. Uneven gaps
   * at the detect rate all pass; a faster source is held to detect.fps in the long run.
   */
  private admit(ts: number): boolean {
    const interval = 1000 / this.o.camera.detect.fps;
    // Far ahead of the frame: the clock went back or the camera restarted; start the schedule afresh.
    if (this.nextDueTs - ts > 3 * interval) this.nextDueTs = -Infinity;
    if (ts < this.nextDueTs - RATE_JITTER * interval) return false;
    this.nextDueTs = Math.max(ts, this.nextDueTs) + interval;
    return true;
  }

  /** Processes `first`, then whatever frame waited for it meanwhile, until none waits. */
  private async runFrom(first: { frame: VideoFrame; resolve: (outcome: FrameOutcome) => void }): Promise<void> {
    this.busy = true;
    let job: typeof first | undefined = first;
    try {
      while (job) {
        job.resolve(this.stopped ? 'ignored' : await this.processSafely(job.frame));
        job = this.waiting;
        this.waiting = undefined;
      }
    } finally {
      this.busy = false;
    }
  }

  private async processSafely(frame: VideoFrame): Promise<FrameOutcome> {
    this.lastFrame = { ts: frame.ts, arrivedAt: this.o.now() };
    try {
      return await this.process(frame);
    } catch (err) {
      this.noteError(err);
      this.skipped++;
      return 'skipped';
    }
  }

  /**
   * Ends tracks whose time ran out while no frame came (camera stalled, detection paused): the
   * camera's clock is estimated as the last frame's capture time plus the wall time since it arrived.
   */
  tick(): void {
    if (this.stopped || !this.lastFrame || this.busy || !this.tracker) return;
    const cameraNow = this.lastFrame.ts + (this.o.now() - this.lastFrame.arrivedAt);
    this.publishWithoutFrame(this.tracker.expire(cameraNow), cameraNow);
  }

  /** Ends every open event (camera removed or reconfigured, agent stopping). */
  stop(): void {
    if (this.stopped) return;
    const ts = this.lastFrame ? this.lastFrame.ts + (this.o.now() - this.lastFrame.arrivedAt) : this.o.now();
    if (this.tracker) this.publishWithoutFrame(this.tracker.endAll(ts), ts);
    this.stopped = true;
  }

  stats(): CameraDetectionStats {
    return {
      detectFps: this.rate.rate(this.o.now()),
      motionPercent: Math.round(this.motionPercent * 100) / 100,
      skipped: this.skipped,
      overRate: this.overRate,
      processed: this.processed,
      scheduled: this.scheduled,
      ...(this.o.camera.zones.length > 0 ? { zoneOccupancy: this.analytics?.occupancy() ?? {} } : {}),
    };
  }

  latest(): LatestDetection | undefined {
    if (!this.latestView && !this.latestSnapshot) return undefined;
    const view: LatestDetection = { ...(this.latestView ?? { ts: 0, boxes: [] }) };
    const counts = this.o.camera.lines.length > 0 ? this.analytics?.runningCounts() : null;
    if (counts) view.lineCounts = counts;
    return this.latestSnapshot ? { ...view, snapshot: this.latestSnapshot } : view;
  }

  private async process(frame: VideoFrame): Promise<FrameOutcome> {
    const { width: w, height: h } = frame;
    if (!this.motion || this.motion.width !== w || this.motion.height !== h) {
      this.motion = new MotionDetector(this.o.detection.motion, w, h, this.o.camera.motionMasks);
    }
    const tracker = this.trackerFor(frame);
    const motion = this.motion.detect(frame);
    this.motionPercent = motion.motionPercent;
    const tracked = tracker.activeBoxes(frame.ts);
    // While motion calibrates (start-up, a lighting change) its boxes say nothing: the detector looks at the
    // whole frame, or whatever is there then would go unseen (the accuracy gate: 85 % -> 100 % recall).
    const interesting = motion.calibrating ? [pixelBox(0, 0, w, h)] : [...motion.boxes, ...tracked];
    // The default model, shaped like the frame, gets windows of it around what moves and what is followed
    // (the whole frame when they cover most of it); a square model square crops.
    const regions = planRegions(interesting, w, h, this.model);

    const found = regions.length > 0 ? await this.o.detector.detect({ cameraId: frame.cameraId, frame, regions }) : [];
    if (this.stopped) return 'ignored';
    if (found === 'dropped') {
      // The detector fell behind: an undetected frame would make tracked objects look gone, so skip it.
      this.skipped++;
      this.publishWithoutFrame(tracker.expire(frame.ts), frame.ts);
      return 'skipped';
    }
    const step = tracker.update(nms(found, MERGE_IOU), frame.ts);
    // Every processed frame, with objects or without: the line counts need each one.
    this.analytics?.frame(tracker, step, frame.ts);
    this.best.keep(frame, step.improved);
    this.publish(step);
    this.latestView = { ts: frame.ts, boxes: tracker.visible(frame.ts).map(({ label, score, box }) => ({ label, score, box })) };
    this.processed++;
    this.rate.mark(this.o.now());
    return 'processed';
  }

  /** The tracker for this frame's size; a size change (camera reconfigured) ends the old one's events. */
  private trackerFor(frame: VideoFrame): ObjectTracker {
    const t = this.tracker;
    if (t && t.frame.width === frame.width && t.frame.height === frame.height) return t;
    if (t) this.publishWithoutFrame(t.endAll(frame.ts), frame.ts);
    const { camera, detection } = this.o;
    this.tracker = new ObjectTracker({ camera: camera.id, tracking: detection.tracking, policy: objectPolicy(detection, camera), zones: camera.zones, frame: { width: frame.width, height: frame.height } });
    this.analytics = new TrackAnalytics(camera, this.o.analytics, camera.objects.track ?? detection.labels, this.o.emitCounts);
    return this.tracker;
  }

  /** Ends made without a processed frame (expiry, schedule, stop) at camera time `ts` get their analytics summary. */
  private publishWithoutFrame(step: TrackerStep, ts: number): void {
    this.analytics?.endedWithoutFrame(step, ts);
    this.publish(step);
  }

  /**
   * Emits the step's events in order; an ended event's best frame gives its colour and becomes its
   * snapshot (emitted once encoded).
   */
  private publish(step: TrackerStep): void {
    for (const ev of step.events) {
      const best = ev.type === 'end' ? this.best.take(ev.objectId) : undefined;
      if (best) ev.colour = dominantColourI420(best.frame, best.box);
      this.o.emitEvent(ev);
      if (!best) continue;
      const emit = (jpeg: Buffer): void => {
        this.latestSnapshot = jpeg;
        this.o.emitSnapshot({ camera: ev.camera, objectId: ev.objectId, ts: best.ts, jpeg });
      };
      this.o.snapshots.encodePixels(best.frame, [best.box]).then(emit, (err: unknown) => {
        this.o.logger.warn({ camera: ev.camera, objectId: ev.objectId, err: toErrorInfo(err, 'SNAPSHOT_FAILED') }, 'snapshot not made (the event itself was sent)');
      });
    }
    for (const id of step.removed) this.best.take(id);
  }

  /** Logs a detection failure once per distinct error code, not once per frame. */
  private noteError(err: unknown): void {
    const info = toErrorInfo(err, 'DETECTION_FAILED');
    if (info.code === this.lastErrorCode) return;
    this.lastErrorCode = info.code;
    this.o.logger.warn({ camera: this.o.camera.id, err: info }, 'detection failed on a frame; skipping it');
  }
}
