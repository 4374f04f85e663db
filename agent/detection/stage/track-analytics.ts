import { CameraAnalytics, type AnalyticsFact, type TrackSummary } from '../../analytics/analytics.js';
import type { AnalyticsSection, CameraConfig } from '../../config/schema/index.js';
import type { LineCountReport, ObjectEvent } from '../../core/object-event.js';
import type { ObjectTracker, TrackerStep } from '../tracking/tracker.js';

/** What the analytics add to an object's `update` event. */
type UpdateExtras = Pick<ObjectEvent, 'crossings' | 'speedKmh' | 'loitering'>;

/**
 * A camera's analytics (agent/analytics/) in its detection loop: fed every processed frame with
 * every track the tracker matched (reported or not), it puts what happened to an object into that
 * object's events - crossings, speed and loitering on an `update` (one is made when none is due),
 * heading, crossings and speed on its `end` - and hands out the interval line counts.
 */
export class TrackAnalytics {
  private readonly analytics: CameraAnalytics;
  private readonly cameraId: string;

  constructor(camera: CameraConfig, settings: AnalyticsSection, trackedLabels: readonly string[], private readonly emitCounts: (r: LineCountReport) => void) {
    this.analytics = new CameraAnalytics(camera, settings, trackedLabels);
    this.cameraId = camera.id;
  }

  /** Feeds one processed frame (with or without objects: the counts need every one) and adds its facts to the step's events. */
  frame(tracker: ObjectTracker, step: TrackerStep, ts: number): void {
    const facts = this.analytics.update({
      cameraId: this.cameraId,
      ts,
      frameW: tracker.frame.width,
      frameH: tracker.frame.height,
      tracks: tracker.seen(ts).map((t) => ({ id: t.objectId, label: t.label, box: t.box, confirmed: t.reported })),
      ended: step.removed,
    });
    this.attach(tracker, step, ts, facts);
  }

  /** Ends made without a processed frame (expiry, schedule, stop) at camera time `ts`: their summaries onto the end events. */
  endedWithoutFrame(step: TrackerStep, ts: number): void {
    const facts = this.analytics.end(step.removed, ts);
    for (const f of facts) if (f.kind === 'summary') withSummary(step.events.find((e) => e.objectId === f.trackId && e.type === 'end'), f.summary);
  }

  private attach(tracker: ObjectTracker, step: TrackerStep, ts: number, facts: AnalyticsFact[]): void {
    const extras = new Map<string, UpdateExtras>();
    const extrasOf = (id: string): UpdateExtras => extras.get(id) ?? (extras.set(id, {}), extras.get(id) as UpdateExtras);
    const summaries = new Map<string, TrackSummary>();
    for (const f of facts) {
      if (f.kind === 'counts') this.emitCounts(f.report);
      else if (f.kind === 'crossing') (extrasOf(f.trackId).crossings ??= []).push({ line: f.line, direction: f.direction, ts: f.ts });
      else if (f.kind === 'speed') extrasOf(f.trackId).speedKmh = f.speedKmh;
      else if (f.kind === 'loitering') extrasOf(f.trackId).loitering = true;
      else summaries.set(f.trackId, f.summary);
    }
    for (const ev of step.events) if (ev.type === 'end') withSummary(ev, summaries.get(ev.objectId));
    for (const [id, extra] of extras) {
      if (summaries.has(id)) continue; // ended this frame: its end event has it all
      const due = step.events.find((e) => e.objectId === id && e.type === 'update');
      const ev = due ?? tracker.updateNow(id, ts);
      if (!ev) continue; // never reported (a false detection): nothing to tell
      Object.assign(ev, extra);
      if (!due) step.events.push(ev);
    }
  }

  /** The interval being counted now and each line's counts so far (the status page). */
  runningCounts(): ReturnType<CameraAnalytics['runningCounts']> {
    return this.analytics.runningCounts();
  }

  /** Tracks inside each zone now, per label (health). */
  occupancy(): Record<string, Record<string, number>> {
    return this.analytics.occupancy();
  }
}

function withSummary(ev: ObjectEvent | undefined, s: TrackSummary | undefined): void {
  if (!ev || !s) return;
  ev.direction = s.direction;
  if (s.crossings.length > 0) ev.crossings = s.crossings;
  if (s.speedKmh !== undefined) ev.speedKmh = s.speedKmh;
}
