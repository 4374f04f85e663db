import type { Box } from '../../core/object-event.js';
import type { FrameSize } from '../types.js';
import { boxArea, centre, diagonal, distance, iou } from '../geometry.js';

export interface MatchCandidate {
  box: Box;
  label: string;
}

/**
 * How well a detection fits a track's predicted box: the IoU when they overlap enough; otherwise,
 * for a small or fast object that jumped past its prediction, a weaker centroid affinity (close
 * centres, similar size) that always ranks below a real overlap. 0 means "cannot be the same object".
 * Centre distance and reach are measured in shares of the frame's width and height (`frame`), so
 * the fallback reaches as far at any detect resolution and aspect as it was tuned to.
 */
export function affinity(predicted: MatchCandidate, det: MatchCandidate, iouThreshold: number, frame: FrameSize): number {
  const sameLabel = predicted.label === det.label ? 0.05 : 0;
  const o = iou(predicted.box, det.box);
  if (o >= iouThreshold && o > 0) return o + sameLabel;
  const reach = 0.5 * Math.max(diagonal(predicted.box, frame), diagonal(det.box, frame));
  const d = distance(centre(predicted.box), centre(det.box), frame);
  const a1 = boxArea(predicted.box);
  const a2 = boxArea(det.box);
  const ratio = a1 > 0 && a2 > 0 ? Math.min(a1, a2) / Math.max(a1, a2) : 0;
  if (reach <= 0 || d >= reach || ratio < 0.5) return 0;
  const floor = Math.max(iouThreshold, 0.01);
  return floor * 0.99 * (1 - d / reach) + sameLabel * 0.1;
}

/** Greedy one-to-one assignment, best affinity first. Returns pairs [trackIndex, detectionIndex]. */
export function greedyMatch(tracks: readonly MatchCandidate[], dets: readonly MatchCandidate[], iouThreshold: number, frame: FrameSize): [number, number][] {
  const pairs: { t: number; d: number; a: number }[] = [];
  for (let t = 0; t < tracks.length; t++) {
    for (let d = 0; d < dets.length; d++) {
      const a = affinity(tracks[t], dets[d], iouThreshold, frame);
      if (a > 0) pairs.push({ t, d, a });
    }
  }
  pairs.sort((x, y) => y.a - x.a);
  const usedT = new Set<number>();
  const usedD = new Set<number>();
  const out: [number, number][] = [];
  for (const p of pairs) {
    if (usedT.has(p.t) || usedD.has(p.d)) continue;
    usedT.add(p.t);
    usedD.add(p.d);
    out.push([p.t, p.d]);
  }
  return out;
}
