import { coversLabel, pointInPolygon } from '../detection/zones.js';
import type { Point } from './geometry.js';

export interface LoiterZoneSpec {
  name: string;
  /** Polygon in the unit the caller feeds points in. */
  polygon: readonly Point[];
  labels?: readonly string[];
  /** Staying longer than this is loitering; absent: the zone only counts occupancy. */
  loiterSeconds?: number;
}

export interface LoiterFact {
  zone: string;
  trackId: string;
  label: string;
  /** Since when the object has been in the zone (capture clock, ms). */
  since: number;
  ts: number;
  loitering: true;
}

export interface LoiterOptions {
  /**
   * An object must be outside this long (ms) to have left: a ground point wobbling over the zone's
   * edge does not restart its dwell. Default 2000.
   */
  leaveGraceMs?: number;
}

interface Stay {
  label: string;
  since: number;
  lastInside: number;
}

/**
 * Dwell time of tracks in one zone: who is inside now (occupancy per label) and, when the zone has
 * `loiterSeconds`, one loitering fact per track once it has stayed longer.
 */
export class LoiterWatch {
  private readonly stays = new Map<string, Stay>();
  /** Tracks already reported as loitering: once per track, even if it steps out and back in. */
  private readonly flagged = new Set<string>();
  private readonly graceMs: number;

  constructor(
    private readonly zone: LoiterZoneSpec,
    opts: LoiterOptions = {},
  ) {
    this.graceMs = opts.leaveGraceMs ?? 2000;
  }

  /** Feeds one sighting of a track's ground point; returns a loitering fact the first time it qualifies. */
  observe(trackId: string, label: string, ground: Point, ts: number): LoiterFact | null {
    const inside = coversLabel(this.zone.labels, label) && pointInPolygon(ground, this.zone.polygon);
    let s = this.stays.get(trackId);
    if (!inside) {
      if (s && ts - s.lastInside > this.graceMs) this.stays.delete(trackId);
      return null;
    }
    if (!s) {
      s = { label, since: ts, lastInside: ts };
      this.stays.set(trackId, s);
    }
    s.label = label;
    s.lastInside = ts;
    const limit = this.zone.loiterSeconds;
    if (limit === undefined || this.flagged.has(trackId) || ts - s.since <= limit * 1000) return null;
    this.flagged.add(trackId);
    return { zone: this.zone.name, trackId, label, since: s.since, ts, loitering: true };
  }

  /** Tracks inside now, per label (a track in its leave grace still counts: it has not left yet). */
  occupancy(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const s of this.stays.values()) out[s.label] = (out[s.label] ?? 0) + 1;
    return out;
  }

  /** How long a track has been in the zone at `ts` (ms), or null when it is not in it. */
  dwellMs(trackId: string, ts: number): number | null {
    const s = this.stays.get(trackId);
    return s ? ts - s.since : null;
  }

  /** Drops a track (it ended): it no longer counts in the occupancy. */
  forget(trackId: string): void {
    this.stays.delete(trackId);
    this.flagged.delete(trackId);
  }
}
