import type { Box } from '../core/object-event.js';
import { bottomCentre } from '../detection/geometry.js';
import { toPixels, type Point } from './geometry.js';
import { headingOf, type Heading } from './heading.js';
import { LineCounter, type LineCountReport } from './line-counts.js';
import { LineCrossingDetector, type Direction } from './line-crossing.js';
import { LoiterWatch } from './loitering.js';
import type { AnalyticsSection, Line } from '../config/schema/index.js';
import { SpeedZone } from './speed.js';

/** What a camera's analytics read of its config (a CameraConfig fits). */
export interface CameraAnalyticsConfig {
  id: string;
  lines: readonly Line[];
  zones: readonly { name: string; polygon: readonly (readonly [number, number])[]; labels?: readonly string[]; distances?: readonly number[]; loiterSeconds?: number }[];
}

/** One live track in one processed frame; the box in detect-frame pixels [x1, y1, x2, y2]. */
export interface AnalyticsTrack {
  id: string;
  label: string;
  box: Box;
  /**
   * The tracker has reported the track (default true). An unconfirmed track is followed from its
   * first sighting, so a car confirmed just after it crossed still has its earlier side, but its
   * crossings are held until it is confirmed and dropped if it never is (a false detection).
   */
  confirmed?: boolean;
}

export interface AnalyticsFrame {
  cameraId: string;
  /** Capture time (ms since epoch) of the frame. */
  ts: number;
  frameW: number;
  frameH: number;
  /**
   * The tracks seen this frame, with their detected boxes (not predictions: a guessed box must not
   * cross a line). A track missing from a frame has not left: only `ended` (or a minute unseen) ends it.
   */
  tracks: readonly AnalyticsTrack[];
  /** Tracks the tracker removed this frame: their summary is final. */
  ended?: readonly string[];
}

export interface CrossingFact { kind: 'crossing'; camera: string; trackId: string; label: string; line: string; direction: Direction; ts: number }
export interface CountsFact { kind: 'counts'; report: LineCountReport }
export interface LoiterFact { kind: 'loitering'; camera: string; trackId: string; label: string; zone: string; since: number; ts: number }
export interface SpeedFact { kind: 'speed'; camera: string; trackId: string; label: string; zone: string; speedKmh: number; ts: number }
/** A track ended: what its `end` event gains. */
export interface SummaryFact { kind: 'summary'; camera: string; trackId: string; summary: TrackSummary }
export type AnalyticsFact = CrossingFact | CountsFact | LoiterFact | SpeedFact | SummaryFact;

/** What an ended track's `end` event gains: its heading, crossings and speed (when measured). */
export interface TrackSummary {
  direction: Heading;
  crossings: { line: string; direction: Direction; ts: number }[];
  speedKmh?: number;
}

interface TrackState {
  /** Crossings seen before the track was confirmed, released when it is. */
  held: CrossingFact[];
  path: Point[];
  /** Sum of the box diagonals over `sightings` (the path itself may be thinned). */
  diagSum: number;
  sightings: number;
  crossings: TrackSummary['crossings'];
  speedKmh?: number;
  lastTs: number;
}

/** A path longer than this is thinned to every other point: heading only needs its two ends. */
const MAX_PATH = 256;
/** A track the tracker never reported as removed is dropped after this long unseen (ms). */
const FORGET_AFTER_MS = 60_000;

/**
 * One camera's analytics, fed each processed frame: line crossings (and their interval counts),
 * zone speed, loitering and occupancy, and per-track heading. Config lines and zones are in 0..1 of
 * the frame and are scaled to the frame's pixels, so distances and angles are not skewed by its
 * aspect. Pure: no I/O, no clock but the frames'.
 */
export class CameraAnalytics {
  private lines: LineCrossingDetector[] = [];
  private speedZones: SpeedZone[] = [];
  private loiterZones: { name: string; watch: LoiterWatch }[] = [];
  private readonly counter: LineCounter;
  private readonly tracks = new Map<string, TrackState>();
  private frameSize = '';

  constructor(
    private readonly camera: CameraAnalyticsConfig,
    private readonly settings: AnalyticsSection,
    trackedLabels: readonly string[],
  ) {
    this.counter = new LineCounter({
      camera: camera.id,
      intervalSeconds: settings.countIntervalSeconds,
      lines: camera.lines.map((l) => ({ name: l.name, labels: l.labels && l.labels.length ? l.labels : trackedLabels })),
    });
  }

  /** Feeds one processed frame; returns the facts it produced, in order. */
  update(frame: AnalyticsFrame): AnalyticsFact[] {
    this.scaleTo(frame.frameW, frame.frameH);
    const facts: AnalyticsFact[] = this.counter.advance(frame.ts).map((report) => ({ kind: 'counts', report }));
    const cam = this.camera.id;
    for (const t of frame.tracks) {
      const g = bottomCentre(t.box);
      const state = this.stateOf(t.id, frame.ts);
      state.path.push(g);
      state.diagSum += Math.hypot(t.box[2] - t.box[0], t.box[3] - t.box[1]);
      state.sightings++;
      if (state.path.length > MAX_PATH) state.path = state.path.filter((_, i) => i % 2 === 0 || i === state.path.length - 1);
      for (const line of this.lines) {
        const c = line.observe(t.id, t.label, g, frame.ts);
        if (c) state.held.push({ kind: 'crossing', camera: cam, trackId: t.id, label: t.label, line: c.line, direction: c.direction, ts: c.ts });
      }
      // Speed and dwell start once the track is confirmed (a few frames): a false detection gets neither.
      if (t.confirmed === false) continue;
      facts.push(...this.release(state, t.label));
      for (const z of this.speedZones) {
        const s = z.observe(t.id, t.label, g, frame.ts);
        if (s) facts.push(this.speedFact(s.zone, t.id, s.label, s.speedKmh, s.ts));
      }
      for (const z of this.loiterZones) {
        const l = z.watch.observe(t.id, t.label, g, frame.ts);
        if (l) facts.push({ kind: 'loitering', camera: cam, trackId: t.id, label: l.label, zone: l.zone, since: l.since, ts: l.ts });
      }
    }
    for (const id of frame.ended ?? []) facts.push(...this.endTrack(id, frame.ts));
    for (const [id, s] of this.tracks) if (frame.ts - s.lastTs > FORGET_AFTER_MS) facts.push(...this.endTrack(id, frame.ts));
    return facts;
  }

  /**
   * Ends tracks the tracker removed without a processed frame (expiry while the camera stalls, the
   * detect schedule closing, stop): their last speed and their `summary` facts, and they leave the zones.
   */
  end(ids: readonly string[], ts: number): AnalyticsFact[] {
    return ids.flatMap((id) => this.endTrack(id, ts));
  }

  /** Heading, crossings and speed so far of a live track (an ended one's comes as a `summary` fact). */
  summary(trackId: string): TrackSummary | null {
    const s = this.tracks.get(trackId);
    return s ? summarise(s) : null;
  }

  /** The interval being counted now and each line's counts so far (the status page). */
  runningCounts(): ReturnType<LineCounter['running']> {
    return this.counter.running();
  }

  /** Tracks inside each zone now, per label (for health). */
  occupancy(): Record<string, Record<string, number>> {
    return Object.fromEntries(this.loiterZones.map((z) => [z.name, z.watch.occupancy()]));
  }

  private endTrack(id: string, ts: number): AnalyticsFact[] {
    const facts: AnalyticsFact[] = [];
    for (const z of this.speedZones) {
      const s = z.finish(id, ts);
      if (s) facts.push(this.speedFact(s.zone, id, s.label, s.speedKmh, s.ts));
    }
    for (const l of this.lines) l.forget(id);
    for (const z of this.loiterZones) z.watch.forget(id);
    const state = this.tracks.get(id);
    this.tracks.delete(id);
    if (state) facts.push({ kind: 'summary', camera: this.camera.id, trackId: id, summary: summarise(state) });
    return facts;
  }

  /** Publishes a confirmed track's held crossings (counted in the current interval, under its current label). */
  private release(state: TrackState, label: string): AnalyticsFact[] {
    const out: AnalyticsFact[] = [];
    for (const c of state.held) {
      const crossing: CrossingFact = { ...c, label };
      state.crossings.push({ line: c.line, direction: c.direction, ts: c.ts });
      out.push(crossing);
      const counted = this.counter.add({ line: c.line, trackId: c.trackId, label, direction: c.direction, ts: c.ts });
      out.push(...counted.map((report): CountsFact => ({ kind: 'counts', report })));
    }
    state.held = [];
    return out;
  }

  private speedFact(zone: string, trackId: string, label: string, speedKmh: number, ts: number): SpeedFact {
    const state = this.tracks.get(trackId);
    if (state) state.speedKmh = speedKmh;
    return { kind: 'speed', camera: this.camera.id, trackId, label, zone, speedKmh, ts };
  }

  private stateOf(id: string, ts: number): TrackState {
    let s = this.tracks.get(id);
    if (!s) {
      s = { held: [], path: [], diagSum: 0, sightings: 0, crossings: [], lastTs: ts };
      this.tracks.set(id, s);
    }
    s.lastTs = ts;
    return s;
  }

  /** (Re)builds the pixel-space lines and zones when the detect frame size is first seen or changes. */
  private scaleTo(w: number, h: number): void {
    const key = `${w}x${h}`;
    if (key === this.frameSize) return;
    this.frameSize = key;
    const px = (p: readonly [number, number]): Point => toPixels(p, w, h);
    const margin = this.settings.lineHysteresis * Math.hypot(w, h);
    this.lines = this.camera.lines.map((l) => new LineCrossingDetector({ name: l.name, from: px(l.from), to: px(l.to), labels: l.labels }, { margin }));
    this.speedZones = this.camera.zones
      .filter((z) => z.distances && z.polygon.length === 4)
      .map((z) => new SpeedZone({ name: z.name, polygon: z.polygon.map(px), distances: z.distances ?? [], labels: z.labels }));
    this.loiterZones = this.camera.zones.map((z) => ({ name: z.name, watch: new LoiterWatch({ name: z.name, polygon: z.polygon.map(px), labels: z.labels, loiterSeconds: z.loiterSeconds }) }));
  }
}

/**
 * The heading needs a net move of half the object's mean box diagonal: a parked car's box jitter is
 * far less, a passing car moves far more, near the camera or far from it.
 */
function summarise(s: TrackState): TrackSummary {
  const meanDiag = s.sightings ? s.diagSum / s.sightings : 0;
  const out: TrackSummary = { direction: headingOf(s.path, { minDistance: 0.5 * meanDiag }), crossings: [...s.crossings] };
  if (s.speedKmh !== undefined) out.speedKmh = s.speedKmh;
  return out;
}
