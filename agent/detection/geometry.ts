import type { Box } from '../core/object-event.js';
import type { FrameSize } from './types.js';

/** Box arithmetic on [x1, y1, x2, y2] boxes (any unit; detection works in pixels of the detect frame). */

export function boxArea(b: Box): number {
  return Math.max(0, b[2] - b[0]) * Math.max(0, b[3] - b[1]);
}

export function iou(a: Box, b: Box): number {
  const w = Math.min(a[2], b[2]) - Math.max(a[0], b[0]);
  const h = Math.min(a[3], b[3]) - Math.max(a[1], b[1]);
  if (w <= 0 || h <= 0) return 0;
  const inter = w * h;
  return inter / (boxArea(a) + boxArea(b) - inter);
}

export function centre(b: Box): [number, number] {
  return [(b[0] + b[2]) / 2, (b[1] + b[3]) / 2];
}

/** Where the object touches the ground: zones, object masks and the analytics (lines, speed, dwell) test this point (like a person's feet). */
export function bottomCentre(b: Box): [number, number] {
  return [(b[0] + b[2]) / 2, b[3]];
}

/** The box's diagonal with x and y lengths divided by `per` (e.g. the frame size: shares of the frame). */
export function diagonal(b: Box, per: FrameSize): number {
  return Math.hypot((b[2] - b[0]) / per.width, (b[3] - b[1]) / per.height);
}

/** Distance between two points with x and y divided by `per`, as in `diagonal`. */
export function distance(p: [number, number], q: [number, number], per: FrameSize): number {
  return Math.hypot((p[0] - q[0]) / per.width, (p[1] - q[1]) / per.height);
}

/** The box cut to the frame, in the box's own space. */
export function clampBox<B extends Box>(b: B, frame: FrameSize): B {
  const c = (v: number, max: number): number => (v < 0 ? 0 : v > max ? max : v);
  return [c(b[0], frame.width), c(b[1], frame.height), c(b[2], frame.width), c(b[3], frame.height)] as unknown as B;
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return 0;
  const s = [...values].sort((x, y) => x - y);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}
