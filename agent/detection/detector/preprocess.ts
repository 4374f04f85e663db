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
  // Slot k of the model (RGB or BGR order): value = channel * m_k + a_k.
  const bgr = spec.channels === 'BGR';
  const [m0, m1, m2] = [0, 1, 2].map((k) => spec.scale / spec.std[k]);
  const [a0, a1, a2] = [0, 1, 2].map((k) => (0 - spec.mean[k]) / spec.std[k]); // 0 - m: no -0 for mean 0
  // Element offsets of slots 0..2 for pixel p: NHWC p*3 + k, NCHW k*plane + p.
  const nchw = spec.layout === 'NCHW';
  const pixStride = nchw ? 1 : 3;
  const o1 = nchw ? W * H : 1;
  const o2 = 2 * o1;
  for (let oy = 0; oy < H; oy++) {
    const ya = ay.i0[oy];
    let o = oy * W * pixStride;
    if (ya < 0) {
      for (let ox = 0; ox < W; ox++, o += pixStride) { tensor[o] = a0; tensor[o + o1] = a1; tensor[o + o2] = a2; }
      continue;
    }
    const wy = ay.w[oy];
    const ra = ya * img.width;
    const rb = ay.i1[oy] * img.width;
    const uA = uOff + cy.i0[oy] * cw;
    const uB = uOff + cy.i1[oy] * cw;
    const vA = vOff + cy.i0[oy] * cw;
    const vB = vOff + cy.i1[oy] * cw;
    const wcy = cy.w[oy];
    for (let ox = 0; ox < W; ox++, o += pixStride) {
      const xa = ax.i0[ox];
      if (xa < 0) { tensor[o] = a0; tensor[o + o1] = a1; tensor[o + o2] = a2; continue; }
      const xb = ax.i1[ox];
      const wx = ax.w[ox];
      const t = src[ra + xa] + (src[ra + xb] - src[ra + xa]) * wx;
      const Y = t + (src[rb + xa] + (src[rb + xb] - src[rb + xa]) * wx - t) * wy;
      const ua = cx.i0[ox];
      const ub = cx.i1[ox];
      const wcx = cx.w[ox];
      const ut = src[uA + ua] + (src[uA + ub] - src[uA + ua]) * wcx;
      const U = ut + (src[uB + ua] + (src[uB + ub] - src[uB + ua]) * wcx - ut) * wcy;
      const vt = src[vA + ua] + (src[vA + ub] - src[vA + ua]) * wcx;
      const V = vt + (src[vB + ua] + (src[vB + ub] - src[vB + ua]) * wcx - vt) * wcy;
      // BT.601 limited range, as the rest of the agent converts I420.
      const c = (Y - 16) * 1.164;
      const d = U - 128;
      const e = V - 128;
      let r = c + 1.596 * e;
      let g = c - 0.392 * d - 0.813 * e;
      let b = c + 2.017 * d;
      r = r < 0 ? 0 : r > 255 ? 255 : r;
      g = g < 0 ? 0 : g > 255 ? 255 : g;
      b = b < 0 ? 0 : b > 255 ? 255 : b;
      tensor[o] = (bgr ? b : r) * m0 + a0;
      tensor[o + o1] = g * m1 + a1;
      tensor[o + o2] = (bgr ? r : b) * m2 + a2;
    }
  }
  return tensor;
}
