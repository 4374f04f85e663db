/**
 * Plane geometry the analytics pieces share. Every function is unit-agnostic: callers pass points in
 * one unit throughout (the Analytics facade uses detect-frame pixels, so angles and distances are
 * not skewed by a non-square frame).
 */

export type Point = readonly [number, number];

/**
 * c(P) = (B.x - A.x)(P.y - A.y) - (B.y - A.y)(P.x - A.x), image coordinates (y down). c < 0: P is
 * left of A->B as seen on screen, c > 0: right (test/fixtures/analytics/README.md, "Direction convention").
 */
export function sideValue(a: Point, b: Point, p: Point): number {
  return (b[0] - a[0]) * (p[1] - a[1]) - (b[1] - a[1]) * (p[0] - a[0]);
}

/** Signed distance of P from the infinite line through A and B (same sign as sideValue). */
export function signedDistance(a: Point, b: Point, p: Point): number {
  const len = Math.hypot(b[0] - a[0], b[1] - a[1]);
  return len > 0 ? sideValue(a, b, p) / len : 0;
}

/**
 * Where the move P0 -> P1 meets the line through A and B, as the fraction u along A->B
 * (0 at A, 1 at B); null when the move is parallel to the line.
 */
export function crossingFraction(a: Point, b: Point, p0: Point, p1: Point): number | null {
  const c0 = sideValue(a, b, p0);
  const c1 = sideValue(a, b, p1);
  if (c0 === c1) return null;
  const t = c0 / (c0 - c1);
  const x = p0[0] + t * (p1[0] - p0[0]);
  const y = p0[1] + t * (p1[1] - p0[1]);
  const dx = b[0] - a[0];
  const dy = b[1] - a[1];
  return ((x - a[0]) * dx + (y - a[1]) * dy) / (dx * dx + dy * dy);
}

/** Scales a 0..1 point (config) to the frame's pixels. */
export function toPixels(p: Point, frameW: number, frameH: number): Point {
  return [p[0] * frameW, p[1] * frameH];
}
