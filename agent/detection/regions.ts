import { pixelBox } from './coords.js';
import type { PixelBox } from './types.js';
import { planWindows, wholeFrameRegion } from './windows.js';

/** Context kept around a cluster of boxes: the detector sees an object with some surroundings. */
export const REGION_MARGIN = 1.2;
/** Two regions overlapping by more than this share of the smaller one are merged. */
const MERGE_OVERLAP = 0.5;

/**
 * Groups boxes (motion boxes, and boxes of tracked objects) into few square detector regions in
 * detect-frame pixels. Each region:
 * - covers every box of its cluster, with REGION_MARGIN of context around the cluster;
 * - is at least modelSize on a side, so small objects are not upscaled into the model input, and
 *   larger only when the cluster needs it (the detector then downscales it);
 * - lies inside the frame (shifted, never cut) — except when the side exceeds a frame dimension:
 *   then it starts at 0 on that axis and runs past the far edge (the crop pads that with black,
 *   see cropResizeToRgb), so a frame smaller than modelSize gives one square region
 *   [0, 0, S, S] with S = max(frameW, frameH).
 * Two clusters merge when one region covering both is no larger than the larger of their own
 * regions (free: it costs no resolution), or when their regions overlap by more than half.
 * Boxes are clipped to the frame first; empty ones are dropped. Coordinates are integers.
 */
export function computeRegions(boxes: readonly PixelBox[], frameW: number, frameH: number, modelSize: number): PixelBox[] {
  const clusters: PixelBox[] = [];
  for (const b of boxes) {
    const c = pixelBox(clamp(Math.floor(b[0]), 0, frameW), clamp(Math.floor(b[1]), 0, frameH), clamp(Math.ceil(b[2]), 0, frameW), clamp(Math.ceil(b[3]), 0, frameH));
    if (c[2] > c[0] && c[3] > c[1]) clusters.push(c);
  }
  const maxSide = Math.max(frameW, frameH);
  const side = (b: PixelBox): number => Math.min(maxSide, Math.max(modelSize, Math.ceil(Math.max(b[2] - b[0], b[3] - b[1]) * REGION_MARGIN)));
  const place = (b: PixelBox): PixelBox => {
    const s = side(b);
    const x = axisStart(b[0], b[2], s, frameW);
    const y = axisStart(b[1], b[3], s, frameH);
    return pixelBox(x, y, x + s, y + s);
  };

  for (let merged = true; merged; ) {
    merged = false;
    for (let i = 0; i < clusters.length && !merged; i++) {
      for (let j = i + 1; j < clusters.length; j++) {
        const a = clusters[i];
        const b = clusters[j];
        const u = pixelBox(Math.min(a[0], b[0]), Math.min(a[1], b[1]), Math.max(a[2], b[2]), Math.max(a[3], b[3]));
        if (side(u) <= Math.max(side(a), side(b)) || overlapShare(place(a), place(b)) > MERGE_OVERLAP) {
          clusters[i] = u;
          clusters.splice(j, 1);
          merged = true;
          break;
        }
      }
    }
  }
  return clusters.map(place);
}

/** Start of a span of length s covering [lo, hi), centred on it, kept inside [0, extent) when s fits. */
function axisStart(lo: number, hi: number, s: number, extent: number): number {
  if (s >= extent) return 0;
  const min = Math.max(hi - s, 0);
  const max = Math.min(lo, extent - s);
  return clamp(Math.round((lo + hi - s) / 2), min, max);
}

/**
 * The detector's regions for the boxes of interest, as the detection stage plans them for a model of
 * this input size: a model that takes windows gets windows around them at the frame's scale
 * (planWindows), any other model that is not square the whole frame (wholeFrameRegion), a square
 * model square crops (computeRegions).
 */
export function planRegions(boxes: readonly PixelBox[], frameW: number, frameH: number, model: { width: number; height: number; windowStride?: number }): PixelBox[] {
  if (boxes.length === 0) return [];
  if (model.windowStride) return planWindows(boxes, frameW, frameH, { width: model.width, height: model.height, stride: model.windowStride });
  if (model.width !== model.height) return [wholeFrameRegion(frameW, frameH, model)];
  return computeRegions(boxes, frameW, frameH, model.width);
}

function overlapShare(a: PixelBox, b: PixelBox): number {
  const w = Math.min(a[2], b[2]) - Math.max(a[0], b[0]);
  const h = Math.min(a[3], b[3]) - Math.max(a[1], b[1]);
  if (w <= 0 || h <= 0) return 0;
  const smaller = Math.min((a[2] - a[0]) * (a[3] - a[1]), (b[2] - b[0]) * (b[3] - b[1]));
  return (w * h) / smaller;
}

function clamp(v: number, lo: number, hi: number): number {
  return v < lo ? lo : v > hi ? hi : v;
}
