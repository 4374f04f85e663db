import { median } from '../detection/geometry.js';
import type { Point } from './geometry.js';

import type { Heading } from '../core/object-event.js';

export type { Heading };

/** Sectors of 45° clockwise from "right", image space (y down, so "up" is towards the top of the picture). */
const SECTORS: readonly Heading[] = ['right', 'down-right', 'down', 'down-left', 'left', 'up-left', 'up', 'up-right'];

export interface HeadingOptions {
  /**
   * A net move shorter than this (the points' unit) is no move: the object is still. The facade
   * passes a fraction of the object's own size, so a parked car's box jitter reads `none` near
   * or far.
   */
  minDistance: number;
}

/**
 * Overall motion heading of a track path in image space, for "heading north past the market":
 * the net displacement between the (per-axis) median of the path's first and last quarter (robust
 * to a wild first or last box), binned into eight 45° sectors; `none` when the net move is under `minDistance`.
 */
export function headingOf(path: readonly Point[], opts: HeadingOptions): Heading {
  if (path.length < 2) return 'none';
  const k = Math.max(1, Math.floor(path.length / 4));
  const head = medianPoint(path.slice(0, k));
  const tail = medianPoint(path.slice(path.length - k));
  const dx = tail[0] - head[0];
  const dy = tail[1] - head[1];
  if (Math.hypot(dx, dy) < opts.minDistance) return 'none';
  const angle = Math.atan2(dy, dx); // clockwise from right, because y grows downwards
  const sector = Math.round(angle / (Math.PI / 4));
  return SECTORS[((sector % 8) + 8) % 8];
}

function medianPoint(points: readonly Point[]): Point {
  return [median(points.map((p) => p[0])), median(points.map((p) => p[1]))];
}
