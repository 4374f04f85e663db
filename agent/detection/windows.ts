import { pixelBox } from './coords.js';
import type { PixelBox } from './types.js';

/**
 * Windows for a model that takes any part of the frame at the whole frame's scale (manifest
 * input.sizeName; docs/detector.md, "Windows"). Its cost grows with the area it is given: measured on
 * this VM at 512x288, about 1.2 ms per run plus 11.8 ms per whole frame of area. So instead of the
 * whole frame on every frame with motion, the detector looks at the parts that hold motion or live
 * tracks, each with some context, and at the whole frame once those add up to most of it.
 */

/** Context around each box of interest, in model pixels (a stride's worth of cells at the heads). */
const CONTEXT_MODEL_PX = 24;
/** No window narrower than this many strides: the network's deepest cells need some surroundings. */
const MIN_STRIDES = 4;
/** A run's fixed cost as a share of a whole frame's area: two windows merge when one costs no more. */
const RUN_COST_SHARE = 0.1;
/** Windows adding up to this share of the frame: the whole frame instead (as cheap, and no borders at all). */
const WHOLE_SHARE = 0.75;
/** At most this many runs per frame; beyond it the cheapest pair to join is joined. */
const MAX_WINDOWS = 4;

export interface WindowedModel {
  /** The model's input size for a whole frame. */
  width: number;
  height: number;
  /** A window's model size is a multiple of this. */
  stride: number;
}

/**
 * The windows of a frame for the boxes of interest (frame pixels): each box with context, snapped
 * outwards to the model's stride grid (in frame pixels: stride / scale, 40 for a 640x360 frame at
 * 512x288), at least MIN_STRIDES cells a side; windows that overlap, or that cost no more joined,
 * are joined. No boxes: no windows. Windows that cover most of the frame: the whole frame, the region
 * wholeFrameRegion gives (the one the model was made for).
 */
export function planWindows(boxes: readonly PixelBox[], frameW: number, frameH: number, model: WindowedModel): PixelBox[] {
  const whole = wholeFrameRegion(frameW, frameH, model);
  const extent = { w: whole[2], h: whole[3] };
  const scale = wholeFrameScale(whole, model);
  const grid = model.stride / scale;
  const context = CONTEXT_MODEL_PX / scale;
  const minSide = Math.min(MIN_STRIDES * grid, extent.w, extent.h);
  const axis = (lo: number, hi: number, size: number): [number, number] => {
    const a = Math.max(0, Math.floor((lo - context) / grid) * grid);
    const b = Math.min(size, Math.ceil((hi + context) / grid) * grid);
    if (b - a >= minSide) return [a, b];
    const start = Math.min(Math.max(0, Math.floor(((a + b) / 2 - minSide / 2) / grid) * grid), size - minSide);
    return [start, start + minSide];
  };
  let windows: PixelBox[] = [];
  for (const box of boxes) {
    const lo = [Math.max(0, box[0]), Math.max(0, box[1])];
    const hi = [Math.min(frameW, box[2]), Math.min(frameH, box[3])];
    if (!(hi[0] > lo[0] && hi[1] > lo[1])) continue;
    const [x1, x2] = axis(lo[0], hi[0], extent.w);
    const [y1, y2] = axis(lo[1], hi[1], extent.h);
    windows.push(pixelBox(x1, y1, x2, y2));
  }
  if (windows.length === 0) return [];
  const runCost = RUN_COST_SHARE * extent.w * extent.h;
  windows = joinWhile(windows, (a, b, u) => overlaps(a, b) || area(u) <= area(a) + area(b) + runCost);
  while (windows.length > MAX_WINDOWS) windows = joinCheapest(windows);
  const total = windows.reduce((s, w) => s + area(w), 0);
  return total >= WHOLE_SHARE * extent.w * extent.h ? [whole] : windows;
}

/**
 * The one region a model that is not square gets: the whole frame, extended past its far edge (black)
 * to the model's aspect, so the frame is scaled to the model input, never stretched. Such a model is
 * shaped for the detect frame (docs/detector.md: 512x288 for 640x360); crops of it would cut most
 * objects of a frame it already sees at 0.8 of native size.
 */
export function wholeFrameRegion(frameW: number, frameH: number, model: { width: number; height: number }): PixelBox {
  const w = Math.max(frameW, (frameH * model.width) / model.height);
  return pixelBox(0, 0, Math.ceil(w), Math.ceil((w * model.height) / model.width));
}

/** Model pixels per frame pixel of the whole-frame region (0.8 for 640x360 at 512x288): a window's scale too. */
export function wholeFrameScale(whole: PixelBox, model: { width: number }): number {
  return model.width / whole[2];
}

/** Joins pairs for which `join(a, b, union)` holds until none does. */
function joinWhile(windows: PixelBox[], join: (a: PixelBox, b: PixelBox, u: PixelBox) => boolean): PixelBox[] {
  const out = [...windows];
  for (let joined = true; joined; ) {
    joined = false;
    for (let i = 0; i < out.length && !joined; i++) {
      for (let j = i + 1; j < out.length; j++) {
        const u = union(out[i], out[j]);
        if (!join(out[i], out[j], u)) continue;
        out[i] = u;
        out.splice(j, 1);
        joined = true;
        break;
      }
    }
  }
  return out;
}

/** Joins the pair whose union adds the least area (and then whatever that union now overlaps). */
function joinCheapest(windows: PixelBox[]): PixelBox[] {
  let best = { i: 0, j: 1, extra: Infinity };
  for (let i = 0; i < windows.length; i++) {
    for (let j = i + 1; j < windows.length; j++) {
      const extra = area(union(windows[i], windows[j])) - area(windows[i]) - area(windows[j]);
      if (extra < best.extra) best = { i, j, extra };
    }
  }
  const rest = windows.filter((_, k) => k !== best.i && k !== best.j);
  return joinWhile([union(windows[best.i], windows[best.j]), ...rest], overlaps);
}

const area = (b: PixelBox): number => (b[2] - b[0]) * (b[3] - b[1]);
const union = (a: PixelBox, b: PixelBox): PixelBox => pixelBox(Math.min(a[0], b[0]), Math.min(a[1], b[1]), Math.max(a[2], b[2]), Math.max(a[3], b[3]));
const overlaps = (a: PixelBox, b: PixelBox): boolean => Math.min(a[2], b[2]) > Math.max(a[0], b[0]) && Math.min(a[3], b[3]) > Math.max(a[1], b[1]);
