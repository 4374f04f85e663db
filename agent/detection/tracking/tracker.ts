import type { AgentConfig } from '../../config/schema/index.js';
import { normBox, type NormBox, type ObjectEvent } from '../../core/object-event.js';
import { polygonToPixels, toNormBox } from '../coords.js';
import type { FrameSize, PixelBox } from '../types.js';
import { zonesAt, type ZoneSpec } from '../zones.js';
import { rejectReason, type ObjectPolicy, type PixelFrame } from './filters.js';
import { clampBox, iou } from '../geometry.js';
import { greedyMatch } from './matching.js';
import { STATIONARY_RECHECK_MS, Track, type TrackedDetection } from './track.js';

export type TrackingConfig = AgentConfig['detection']['tracking'];

/** Detections of different labels overlapping this much are one object seen two ways. */
const SAME_OBJECT_IOU = 0.7;
/** A reported box that overlaps its last report less than this has "moved notably". */
const MOVED_IOU = 0.5;

export interface TrackerOptions {
  camera: string;
  tracking: TrackingConfig;
  policy: ObjectPolicy;
  /** Zones as configured (0..1 of the frame). */
  zones: readonly ZoneSpec[];
  /** The detect frame the detections' pixels are of. */
  frame: FrameSize;
  /** Object ids; the default is `<camera>-<firstTs base36>-<n>`, unique across restarts. */
  newId?: (camera: string, firstTs: number) => string;
}

/** A track's best sighting so far (highest score): the caller keeps this frame for the snapshot. */
export interface BestSighting {
  objectId: string;
  label: string;
  score: number;
  box: PixelBox;
  ts: number;
}

export interface TrackerStep {
  /** Events to publish, in order (ends of vanished tracks first, then starts and updates). */
  events: ObjectEvent[];
  /** Tracks whose best sighting is this frame. */
  improved: BestSighting[];
  /** Ids of tracks dropped this step — ended, or discarded without ever being reported. */
  removed: string[];
}

let idCounter = 0;
const defaultId = (camera: string, firstTs: number): string => `${camera}-${firstTs.toString(36)}-${(++idCounter).toString(36)}`;

/**
 * Follows one camera's objects across frames and turns them into start/update/end events.
 * Detections are filtered first (tracked label, per-detection minScore, area bounds, object masks);
 * the rest are matched to predicted tracks (IoU, centroid fallback). A track is reported (start)
 * once it has `minHits` sightings and the median of its recent scores reaches its label's threshold,
 * and ends once unseen for `maxDisappearedSeconds`.
 * Works in pixels of the detect frame; boxes leave it in 0..1 (events, `visible`).
 */
export class ObjectTracker {
  private tracks: Track[] = [];
  private readonly newId: (camera: string, firstTs: number) => string;
  /** Zones and object masks in the frame's pixels (converted once, here). */
  private readonly zones: readonly ZoneSpec[];
  private readonly pixelFrame: PixelFrame;

  constructor(private readonly opts: TrackerOptions) {
    this.newId = opts.newId ?? defaultId;
    const { frame } = opts;
    this.zones = opts.zones.map((z) => ({ ...z, polygon: polygonToPixels(z.polygon, frame) }));
    this.pixelFrame = { area: frame.width * frame.height, objectMasks: opts.policy.objectMasks.map((p) => polygonToPixels(p, frame)) };
  }

  /** The frame size this tracker's pixels are of. */
  get frame(): FrameSize {
    return this.opts.frame;
  }

  /** Takes one processed frame's detections (frame pixels, already merged by NMS) at frame time `ts`. */
  update(detections: readonly TrackedDetection[], ts: number): TrackerStep {
    const step: TrackerStep = { events: [], improved: [], removed: [] };
    const kept = detections
      .map((d) => ({ ...d, box: clampBox(d.box, this.opts.frame) }))
      .filter((d) => rejectReason(this.opts.policy, d.label, d.score, d.box, this.pixelFrame) === null);

    const predicted = this.tracks.map((t) => ({ box: t.predict(ts), label: t.label }));
    const pairs = greedyMatch(predicted, kept, this.opts.tracking.iouThreshold, this.opts.frame);
    const matched = new Set<Track>();
    const usedDet = new Set<number>();
    for (const [ti, di] of pairs) {
      const track = this.tracks[ti];
      const det = kept[di];
      usedDet.add(di);
      matched.add(track);
      if (track.observe(det, ts)) step.improved.push(this.sighting(track, ts));
      track.enterZones(zonesAt(det.box, track.label, this.zones));
    }
    const fresh: Track[] = [];
    const taken = pairs.map(([, di]) => kept[di].box);
    // Highest score first, so of two labels for one object (NMS is per label) the likelier one starts the track.
    const unmatched = kept.map((det, di) => ({ det, di })).filter(({ di }) => !usedDet.has(di)).sort((a, b) => b.det.score - a.det.score);
    unmatched.forEach(({ det }) => {
      // The same object under another label (a car also called a truck) is not a second object.
      if (taken.some((b) => iou(b, det.box) >= SAME_OBJECT_IOU)) return;
      taken.push(det.box);
      const track = new Track(this.newId(this.opts.camera, ts), det, ts, this.opts.tracking.scoreHistory);
      track.enterZones(zonesAt(det.box, det.label, this.zones));
      fresh.push(track);
      step.improved.push(this.sighting(track, ts));
    });

    this.expireInto(step, ts);
    for (const track of [...matched, ...fresh]) this.reportInto(step, track, ts);
    this.tracks.push(...fresh);
    return step;
  }

  /** Ends tracks unseen for too long without a new frame (camera stalled, detection paused). */
  expire(ts: number): TrackerStep {
    const step: TrackerStep = { events: [], improved: [], removed: [] };
    this.expireInto(step, ts);
    return step;
  }

  /** Ends every track now (camera removed, detection switched off, agent stopping). */
  endAll(ts: number): TrackerStep {
    const step: TrackerStep = { events: [], improved: [], removed: [] };
    for (const t of this.tracks) {
      if (t.reported) step.events.push(this.event(t, 'end', ts));
      step.removed.push(t.id);
    }
    this.tracks = [];
    return step;
  }

  /**
   * Boxes of the live tracks (reported or not) to detect at `ts`: detection regions keep following
   * them. Stationary objects are included only when their re-check is due.
   */
  activeBoxes(ts: number): PixelBox[] {
    return this.tracks.filter((t) => !t.stationary || ts - t.lastTs >= STATIONARY_RECHECK_MS).map((t) => clampBox(t.predict(ts), this.opts.frame));
  }

  /** Reported tracks seen at exactly `ts` (the status page's live boxes, leaving detection: 0..1). */
  visible(ts: number): { objectId: string; label: string; score: number; box: NormBox }[] {
    return this.tracks.filter((t) => t.reported && t.lastTs === ts).map((t) => ({ objectId: t.id, label: t.label, score: t.score, box: toNormBox(t.box, this.opts.frame) }));
  }

  /**
   * An `update` event for a reported live track now, whatever its update interval says: something
   * worth telling happened to it (the analytics: a line crossed, loitering, a speed measured).
   * Undefined for a track not (yet) reported or gone.
   */
  updateNow(objectId: string, ts: number): ObjectEvent | undefined {
    const t = this.tracks.find((x) => x.id === objectId);
    return t?.reported ? this.event(t, 'update', ts) : undefined;
  }

  /**
   * Every track matched to a detection at exactly `ts`, reported or not, with its detected box in
   * frame pixels (not a prediction): the analytics follow a track from its first sighting, so a car
   * reported just after it crossed a line still has its earlier side.
   */
  seen(ts: number): { objectId: string; label: string; box: PixelBox; reported: boolean }[] {
    return this.tracks.filter((t) => t.lastTs === ts).map((t) => ({ objectId: t.id, label: t.label, box: t.box, reported: t.reported }));
  }

  get size(): number {
    return this.tracks.length;
  }

  private expireInto(step: TrackerStep, ts: number): void {
    const limit = this.opts.tracking.maxDisappearedSeconds * 1000;
    this.tracks = this.tracks.filter((t) => {
      // A stationary object is only looked at every STATIONARY_RECHECK_MS: unseen in between is expected.
      if (ts - t.lastTs <= limit + (t.stationary ? STATIONARY_RECHECK_MS : 0)) return true;
      if (t.reported) step.events.push(this.event(t, 'end', ts));
      step.removed.push(t.id);
      return false;
    });
  }

  private reportInto(step: TrackerStep, t: Track, ts: number): void {
    if (!t.reported) {
      const threshold = this.opts.policy.filterFor(t.label).threshold;
      if (t.hits < this.opts.tracking.minHits || t.medianScore() < threshold) return;
      t.reported = true;
      step.events.push(this.event(t, 'start', ts));
      return;
    }
    const last = t.lastReport;
    if (!last) return;
    const changed = t.label !== last.label || t.zones.length !== last.zoneCount;
    const due = ts - last.ts >= this.opts.tracking.updateIntervalSeconds * 1000;
    const moved = iou(t.box, last.box) < MOVED_IOU;
    if (changed || (moved && due)) step.events.push(this.event(t, 'update', ts));
  }

  private event(t: Track, type: ObjectEvent['type'], ts: number): ObjectEvent {
    const ev: ObjectEvent = {
      type,
      camera: this.opts.camera,
      objectId: t.id,
      label: t.label,
      score: round(t.score),
      topScore: round(t.topScore),
      box: roundBox(toNormBox(t.box, this.opts.frame)),
      zones: [...t.zones],
      startTs: t.firstTs,
      ts,
    };
    if (type === 'end') ev.endTs = t.lastTs;
    else t.lastReport = { ts, box: t.box, label: t.label, zoneCount: t.zones.length };
    return ev;
  }

  private sighting(t: Track, ts: number): BestSighting {
    return { objectId: t.id, label: t.label, score: t.bestScore, box: t.box, ts };
  }
}

const round = (v: number): number => Math.round(v * 10000) / 10000;
const roundBox = (b: NormBox): NormBox => normBox(round(b[0]), round(b[1]), round(b[2]), round(b[3]));
