import { pixelBox } from '../coords.js';
import type { PixelBox } from '../types.js';
import { iou, median } from '../geometry.js';

/** A box overlapping where the object settled at least this much has not moved. */
const STILL_IOU = 0.8;
/** Velocity is extrapolated at most this far: beyond a second, constant velocity is a guess. */
const MAX_PREDICT_MS = 1000;
/**
 * An object that has not moved for this long (a parked car) is stationary: it is no longer sent to
 * the detector every frame, only re-checked every STATIONARY_RECHECK_MS (or whenever motion covers
 * it anyway), so a street full of parked cars does not keep the shared detector busy.
 */
export const STATIONARY_AFTER_MS = 10_000;
export const STATIONARY_RECHECK_MS = 5_000;

/** One detection in detect-frame pixels, as the tracker takes it. */
export interface TrackedDetection {
  label: string;
  score: number;
  box: PixelBox;
}

/** What was last reported for a track, to tell whether a new update is worth sending. */
export interface ReportedState {
  ts: number;
  box: PixelBox;
  label: string;
  zoneCount: number;
}

/**
 * One object followed across frames. The box follows the latest detection; a constant-velocity
 * estimate (smoothed over frames) predicts where it will be, so a moving object still overlaps its
 * prediction at low detect fps. The label is the score-weighted vote of recent detections, so one
 * frame calling a car a truck does not flip the event.
 */
export class Track {
  box: PixelBox;
  /** Per-millisecond change of each box coordinate. */
  private readonly velocity = [0, 0, 0, 0];
  lastTs: number;
  hits = 1;
  label: string;
  score: number;
  topScore: number;
  reported = false;
  /** Zones entered since the track began, in the order entered. */
  readonly zones: string[] = [];
  lastReport?: ReportedState;
  /** Best score seen (any label): its frame becomes the snapshot. */
  bestScore: number;
  /** Where the object has stayed since `stillSince` (a parked car): see `stillFor`. */
  private anchor: PixelBox;
  private stillSince: number;
  private readonly history: { label: string; score: number }[];

  constructor(
    readonly id: string,
    det: TrackedDetection,
    readonly firstTs: number,
    private readonly historySize: number,
  ) {
    this.box = det.box;
    this.lastTs = firstTs;
    this.label = det.label;
    this.score = det.score;
    this.topScore = det.score;
    this.bestScore = det.score;
    this.history = [{ label: det.label, score: det.score }];
    this.anchor = det.box;
    this.stillSince = firstTs;
  }

  /** Has stayed where it is for STATIONARY_AFTER_MS, as of its last sighting. */
  get stationary(): boolean {
    return this.lastTs - this.stillSince >= STATIONARY_AFTER_MS;
  }

  /** Where the box should be at `ts` if the object keeps its velocity. */
  predict(ts: number): PixelBox {
    const dt = Math.min(ts - this.lastTs, MAX_PREDICT_MS);
    if (dt <= 0 || this.stationary) return this.box;
    const v = this.velocity;
    return pixelBox(this.box[0] + v[0] * dt, this.box[1] + v[1] * dt, this.box[2] + v[2] * dt, this.box[3] + v[3] * dt);
  }

  /** Takes a matched detection; returns whether it is the best sighting so far. */
  observe(det: TrackedDetection, ts: number): boolean {
    const dt = ts - this.lastTs;
    if (dt > 0) {
      const first = this.hits === 1;
      for (let i = 0; i < 4; i++) {
        const raw = (det.box[i] - this.box[i]) / dt;
        this.velocity[i] = first ? raw : 0.5 * raw + 0.5 * this.velocity[i];
      }
    }
    if (iou(det.box, this.anchor) < STILL_IOU) {
      this.anchor = det.box;
      this.stillSince = ts;
    }
    this.box = det.box;
    this.lastTs = Math.max(this.lastTs, ts);
    this.hits++;
    this.score = det.score;
    this.topScore = Math.max(this.topScore, det.score);
    this.history.push({ label: det.label, score: det.score });
    if (this.history.length > this.historySize) this.history.shift();
    this.label = this.votedLabel();
    if (det.score > this.bestScore) {
      this.bestScore = det.score;
      return true;
    }
    return false;
  }

  /** Median of the recent scores: one lucky frame cannot report a false positive. */
  medianScore(): number {
    return median(this.history.map((h) => h.score));
  }

  /** Adds zones not entered before; returns whether any was new. */
  enterZones(now: readonly string[]): boolean {
    let added = false;
    for (const z of now) {
      if (!this.zones.includes(z)) {
        this.zones.push(z);
        added = true;
      }
    }
    return added;
  }

  private votedLabel(): string {
    const sums = new Map<string, number>();
    for (const h of this.history) sums.set(h.label, (sums.get(h.label) ?? 0) + h.score);
    let best = this.label;
    let bestSum = sums.get(this.label) ?? 0;
    for (const [label, sum] of sums) {
      if (sum > bestSum) {
        best = label;
        bestSum = sum;
      }
    }
    return best;
  }
}
