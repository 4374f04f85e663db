import type { Detection, PixelBox } from '../types.js';

export function iou(a: PixelBox, b: PixelBox): number {
  const ix = Math.min(a[2], b[2]) - Math.max(a[0], b[0]);
  const iy = Math.min(a[3], b[3]) - Math.max(a[1], b[1]);
  if (ix <= 0 || iy <= 0) return 0;
  const inter = ix * iy;
  const union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter;
  return union > 0 ? inter / union : 0;
}

/**
 * Class-aware non-maximum suppression: within each label, keeps the highest-scoring box and drops
 * any other overlapping it by more than `iouThreshold`. A car box never suppresses a truck box —
 * the tracker decides between labels. Result is sorted by score, highest first.
 */
export function nms<T extends Detection>(detections: readonly T[], iouThreshold: number): T[] {
  const sorted = [...detections].sort((a, b) => b.score - a.score);
  const kept: T[] = [];
  for (const d of sorted) {
    if (!kept.some((k) => k.label === d.label && iou(k.box, d.box) > iouThreshold)) kept.push(d);
  }
  return kept;
}
