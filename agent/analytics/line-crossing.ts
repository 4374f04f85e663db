import { coversLabel } from '../detection/zones.js';
import { crossingFraction, signedDistance, type Point } from './geometry.js';

import type { LineDirection } from '../core/object-event.js';

export type Direction = LineDirection;

/** A counting line: a segment from `from` to `to`, in the unit the caller feeds points in. */
export interface LineSpec {
  name: string;
  from: Point;
  to: Point;
  /** Only these labels count; all when absent or empty. */
  labels?: readonly string[];
}

export interface Crossing {
  line: string;
  trackId: string;
  label: string;
  direction: Direction;
  ts: number;
}

export interface LineCrossingOptions {
  /**
   * Hysteresis: a ground point closer to the line than this (same unit as the points) keeps the
   * side it had, so a box jittering on the line never flips sides. Default 0.
   */
  margin?: number;
}

interface TrackSide {
  /** -1 left, +1 right, 0 not yet clear of the dead band. */
  side: -1 | 0 | 1;
  /** The last ground point clear of the dead band: where the move that crosses started. */
  at?: Point;
  counted: boolean;
}

/**
 * Detects tracks whose ground point passes from one side of a line segment to the other. A side
 * only counts once the point is `margin` clear of the line (hysteresis); a side change counts when
 * the move between the two clear points meets the segment itself, not its extension; each track
 * counts at most once per line (a U-turn or a jitter does not count again).
 */
export class LineCrossingDetector {
  private readonly state = new Map<string, TrackSide>();
  private readonly margin: number;

  constructor(
    private readonly line: LineSpec,
    opts: LineCrossingOptions = {},
  ) {
    this.margin = opts.margin ?? 0;
    if (line.from[0] === line.to[0] && line.from[1] === line.to[1]) throw new RangeError(`line "${line.name}" has equal ends`);
  }

  /** Feeds one sighting of a track's ground point; returns the crossing it completes, if any. */
  observe(trackId: string, label: string, ground: Point, ts: number): Crossing | null {
    let s = this.state.get(trackId);
    if (!s) {
      s = { side: 0, counted: false };
      this.state.set(trackId, s);
    }
    const d = signedDistance(this.line.from, this.line.to, ground);
    if (Math.abs(d) < this.margin || d === 0) return null;
    const side = d < 0 ? -1 : 1;
    const prev = s.side;
    const start = s.at;
    s.side = side;
    s.at = ground;
    if (prev === 0 || prev === side || s.counted || !start) return null;
    const u = crossingFraction(this.line.from, this.line.to, start, ground);
    if (u === null || u < 0 || u > 1) return null;
    if (!coversLabel(this.line.labels, label)) return null;
    s.counted = true;
    return { line: this.line.name, trackId, label, direction: prev < 0 ? 'ab' : 'ba', ts };
  }

  /** Drops a track's state (it ended). */
  forget(trackId: string): void {
    this.state.delete(trackId);
  }

  get trackedCount(): number {
    return this.state.size;
  }
}
