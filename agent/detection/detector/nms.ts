import { iou } from '../geometry.js';
import type { Detection } from '../types.js';

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
