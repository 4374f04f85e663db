import type { PixelBox } from '../types.js';

/** How the model wants its input tensor (from the manifest). */
export interface InputSpec {
  width: number;
  height: number;
  layout: 'NHWC' | 'NCHW';
  channels: 'RGB' | 'BGR';
  scale: number;
  mean: readonly [number, number, number];
  std: readonly [number, number, number];
}

export interface I420Source {
  width: number;
  height: number;
  data: Uint8Array;
}

/** Sample positions along one axis: source index pair and weight per output index (−1 = outside: black). */
interface Axis {
  i0: Int32Array;
  i1: Int32Array;
  w: Float32Array;
}

/**
 * TF-style bilinear sampling (output o samples source start + o·step, "asymmetric", i.e.
 * tf.image.resize_bilinear without half-pixel centres): the preprocessing the CenterNet weights
 * were trained and measured with. Positions outside the source are flagged -1 and come out black.
 */
function axis(start: number, length: number, out: number, size: number, subsample: number): Axis {
  const step = length / out;
  const a: Axis = { i0: new Int32Array(out), i1: new Int32Array(out), w: new Float32Array(out) };
  const n = subsample === 1 ? size : (size + 1) >> 1;
  for (let o = 0; o < out; o++) {
    const f = start + o * step;
    if (f < 0 || f >= size) { a.i0[o] = -1; a.i1[o] = -1; continue; }
    // Chroma of I420 covers 2x2 luma pixels; sample it at the matching (centred) position.
    const p = subsample === 1 ? f : Math.max(0, (f + 0.5) / 2 - 0.5);
    const i0 = Math.min(Math.floor(p), n - 1);
    a.i0[o] = i0;
    a.i1[o] = Math.min(i0 + 1, n - 1);
    a.w[o] = p - i0;
  }
  return a;
}

const clamp255 = (v: number): number => (v < 0 ? 0 : v > 255 ? 255 : v);

/**
 * Crops `region` (frame pixels; may extend past the frame, outside is black) from an I420 frame,
 * resizes it bilinearly to the model input size and writes the normalised tensor in the model's
 * layout and channel order: one pass, no intermediate RGB image.
 */
export function i420RegionToTensor(img: I420Source, region: PixelBox, spec: InputSpec, out?: Float32Array): Float32Array {
  const W = spec.width;
  const H = spec.height;
  const tensor = out ?? new Float32Array(W * H * 3);
  const [x1, y1, x2, y2] = region;
  const ax = axis(x1, x2 - x1, W, img.width, 1);
  const ay = axis(y1, y2 - y1, H, img.height, 1);
  const cx = axis(x1, x2 - x1, W, img.width, 2);
  const cy = axis(y1, y2 - y1, H, img.height, 2);
  const cw = (img.width + 1) >> 1;
  const ch = (img.height + 1) >> 1;
  const uOff = img.width * img.height;
  const vOff = uOff + cw * ch;
  const src = img.data;
  // Per output channel slot k: value = rgb[order[k]] * mul[k] + add[k].
  const order = spec.channels === 'RGB' ? [0, 1, 2] : [2, 1, 0];
  const mul = [0, 1, 2].map((k) => spec.scale / spec.std[k]);
  const add = [0, 1, 2].map((k) => (0 - spec.mean[k]) / spec.std[k]); // 0 - m: no -0 for mean 0
  const black = [0, 1, 2].map((k) => add[k]);
  const nchw = spec.layout === 'NCHW';
  const plane = W * H;
  const rgb = [0, 0, 0];
  for (let oy = 0; oy < H; oy++) {
    const ya = ay.i0[oy];
    const rowBase = oy * W;
    if (ya < 0) {
      for (let ox = 0; ox < W; ox++) writePixel(tensor, nchw, plane, rowBase + ox, black[0], black[1], black[2]);
      continue;
    }
    const yb = ay.i1[oy];
    const wy = ay.w[oy];
    const ra = ya * img.width;
    const rb = yb * img.width;
    const ca = cy.i0[oy] * cw;
    const cb = cy.i1[oy] * cw;
    const wcy = cy.w[oy];
    for (let ox = 0; ox < W; ox++) {
      const xa = ax.i0[ox];
      if (xa < 0) { writePixel(tensor, nchw, plane, rowBase + ox, black[0], black[1], black[2]); continue; }
      const xb = ax.i1[ox];
      const wx = ax.w[ox];
      const top = src[ra + xa] + (src[ra + xb] - src[ra + xa]) * wx;
      const bot = src[rb + xa] + (src[rb + xb] - src[rb + xa]) * wx;
      const Y = top + (bot - top) * wy;
      const ua = cx.i0[ox];
      const ub = cx.i1[ox];
      const wcx = cx.w[ox];
      const U = bilerp(src, uOff, ca, cb, ua, ub, wcx, wcy);
      const V = bilerp(src, vOff, ca, cb, ua, ub, wcx, wcy);
      // BT.601 limited range, as the rest of the agent converts I420.
      const c = (Y - 16) * 1.164;
      const d = U - 128;
      const e = V - 128;
      rgb[0] = clamp255(c + 1.596 * e);
      rgb[1] = clamp255(c - 0.392 * d - 0.813 * e);
      rgb[2] = clamp255(c + 2.017 * d);
      writePixel(tensor, nchw, plane, rowBase + ox,
        rgb[order[0]] * mul[0] + add[0], rgb[order[1]] * mul[1] + add[1], rgb[order[2]] * mul[2] + add[2]);
    }
  }
  return tensor;
}

function bilerp(src: Uint8Array, off: number, ra: number, rb: number, xa: number, xb: number, wx: number, wy: number): number {
  const top = src[off + ra + xa] + (src[off + ra + xb] - src[off + ra + xa]) * wx;
  const bot = src[off + rb + xa] + (src[off + rb + xb] - src[off + rb + xa]) * wx;
  return top + (bot - top) * wy;
}

function writePixel(t: Float32Array, nchw: boolean, plane: number, p: number, a: number, b: number, c: number): void {
  if (nchw) {
    t[p] = a;
    t[plane + p] = b;
    t[2 * plane + p] = c;
  } else {
    const o = p * 3;
    t[o] = a;
    t[o + 1] = b;
    t[o + 2] = c;
  }
}
