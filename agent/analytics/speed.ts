import { median } from '../detection/geometry.js';
import { coversLabel, pointInPolygon } from '../detection/zones.js';
import { applyHomography, homographyFrom, type Homography } from './homography.js';
import type { Point } from './geometry.js';

export interface SpeedZoneSpec {
  name: string;
  /** Four corners, in the unit the caller feeds points in, in order around the zone. */
  polygon: readonly Point[];
  /** Real lengths in metres of the sides polygon[0]->[1], [1]->[2], [2]->[3], [3]->[0]. */
  distances: readonly number[];
  labels?: readonly string[];
}

export interface SpeedFact {
  zone: string;
  trackId: string;
  label: string;
  speedKmh: number;
  /** When the object left the zone (or its track ended in it). */
  ts: number;
}

/**
 * Speeds are taken between sightings at least this far apart (ms), so one box's jitter between two
 * close frames cannot make a spike.
 */
const MIN_SPAN_MS = 400;

/**
 * The zone's ground plane: Frigate's four-point idea (the zone is a rectangle on the road whose side
 * lengths the installer measured), solved as a full homography from the image quadrilateral onto a
 * W x H metre rectangle, W and H the means of the opposite sides. A homography keeps perspective
 * right inside the zone (far metres are fewer pixels), where a per-axis scale would average it.
 */
export function groundPlane(polygon: readonly Point[], distances: readonly number[]): Homography {
  if (polygon.length !== 4) throw new RangeError(`a speed zone needs exactly 4 corners, got ${polygon.length}`);
  if (distances.length !== 4 || distances.some((d) => !(d > 0))) throw new RangeError('distances must be 4 lengths > 0 in metres, one per side');
  const w = (distances[0] + distances[2]) / 2;
  const h = (distances[1] + distances[3]) / 2;
  return homographyFrom(polygon, [[0, 0], [w, 0], [w, h], [0, h]]);
}

interface Pass {
  label: string;
  samples: { ts: number; at: Point }[];
}

/**
 * Speed of objects crossing one measured zone: while a track's ground point is inside, its
 * positions are mapped onto the ground plane; when it leaves (or ends inside), the median of its
 * speeds over the pass is reported once per pass. A pass too short to measure reports nothing.
 */
export class SpeedZone {
  private readonly plane: Homography;
  private readonly passes = new Map<string, Pass>();

  constructor(private readonly zone: SpeedZoneSpec) {
    this.plane = groundPlane(zone.polygon, zone.distances);
  }

  /** Where a point lies on the zone's ground plane, in metres. */
  toGround(p: Point): Point {
    return applyHomography(this.plane, p);
  }

  observe(trackId: string, label: string, ground: Point, ts: number): SpeedFact | null {
    const inside = coversLabel(this.zone.labels, label) && pointInPolygon(ground, this.zone.polygon);
    if (!inside) return this.finish(trackId, ts);
    let pass = this.passes.get(trackId);
    if (!pass) {
      pass = { label, samples: [] };
      this.passes.set(trackId, pass);
    }
    pass.label = label;
    pass.samples.push({ ts, at: this.toGround(ground) });
    return null;
  }

  /** Ends a track's pass (it left, or the track ended): its speed, if it could be measured. */
  finish(trackId: string, ts: number): SpeedFact | null {
    const pass = this.passes.get(trackId);
    if (!pass) return null;
    this.passes.delete(trackId);
    const kmh = this.medianSpeedKmh(pass.samples);
    return kmh === null ? null : { zone: this.zone.name, trackId, label: pass.label, speedKmh: Math.round(kmh * 10) / 10, ts };
  }

  private medianSpeedKmh(samples: readonly { ts: number; at: Point }[]): number | null {
    const speeds: number[] = [];
    let j = 0;
    for (let i = 0; i < samples.length; i++) {
      if (j <= i) j = i + 1;
      while (j < samples.length && samples[j].ts - samples[i].ts < MIN_SPAN_MS) j++;
      if (j >= samples.length) break;
      const dt = (samples[j].ts - samples[i].ts) / 1000;
      const d = Math.hypot(samples[j].at[0] - samples[i].at[0], samples[j].at[1] - samples[i].at[1]);
      speeds.push((d / dt) * 3.6);
    }
    return speeds.length ? median(speeds) : null;
  }
}
