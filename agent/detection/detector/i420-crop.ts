import { pixelBox } from '../coords.js';
import type { PixelBox } from '../types.js';
import type { I420Source } from './preprocess.js';

/** Limited-range black: what the part of a region outside the frame shows (as preprocess.ts). */
const BLACK_Y = 16;
const BLACK_UV = 128;

/** A region's I420 bytes as the model's uint8 inputs: luma [1,1,h,w], chroma U then V [1,2,h/2,w/2]. */
export interface I420Planes {
  y: Uint8Array;
  uv: Uint8Array;
  width: number;
  height: number;
}

/**
 * Snaps a region outwards to even whole pixels, so its chroma starts on a 2×2 block and has exactly
 * half its size: what a model with its preprocessing in the graph needs (the detections are mapped back
 * with the snapped region, so nothing shifts). detect() takes any region, fractional ones too.
 */
export function evenRegion(r: PixelBox): PixelBox {
  const x1 = Math.floor(r[0] / 2) * 2;
  const y1 = Math.floor(r[1] / 2) * 2;
  return pixelBox(x1, y1, x1 + Math.ceil((r[2] - x1) / 2) * 2, y1 + Math.ceil((r[3] - y1) / 2) * 2);
}

/**
 * The planes of an even-aligned region: views into the frame itself when the region is the whole
 * frame (what a frame-shaped model is given every time: no copy at all), else a copy of its rows.
 */
export function regionPlanes(img: I420Source, region: PixelBox): I420Planes {
  const [x1, y1, x2, y2] = region;
  const whole = x1 === 0 && y1 === 0 && x2 === img.width && y2 === img.height;
  if (!whole || img.width % 2 !== 0 || img.height % 2 !== 0) return cropI420Planes(img, region);
  const { data, width, height } = img;
  const lumaBytes = width * height;
  return {
    y: data.subarray(0, lumaBytes),
    uv: data.subarray(lumaBytes, lumaBytes + lumaBytes / 2),
    width,
    height,
  };
}

/**
 * Copies an even-aligned region (frame pixels, may extend past the frame: black there) out of an
 * I420 frame, row by row: no resize, no conversion — the model's graph does those.
 */
export function cropI420Planes(img: I420Source, region: PixelBox): I420Planes {
  const [x1, y1, x2, y2] = region;
  const w = x2 - x1;
  const h = y2 - y1;
  const y = new Uint8Array(w * h);
  copyPlane(img.data, 0, img.width, img.height, x1, y1, w, h, y, 0, BLACK_Y);
  const cw = (img.width + 1) >> 1;
  const ch = (img.height + 1) >> 1;
  const uOff = img.width * img.height;
  const uv = new Uint8Array(w * h / 2);
  const half = (w / 2) * (h / 2);
  copyPlane(img.data, uOff, cw, ch, x1 / 2, y1 / 2, w / 2, h / 2, uv, 0, BLACK_UV);
  copyPlane(img.data, uOff + cw * ch, cw, ch, x1 / 2, y1 / 2, w / 2, h / 2, uv, half, BLACK_UV);
  return { y, uv, width: w, height: h };
}

/** Copies a w×h window at (x, y) of a plane (stride = planeW) into dst; outside the plane is `fill`. */
function copyPlane(src: Uint8Array, off: number, planeW: number, planeH: number, x: number, y: number, w: number, h: number, dst: Uint8Array, dstOff: number, fill: number): void {
  const sx1 = Math.max(x, 0);
  const sx2 = Math.min(x + w, planeW);
  const fullRows = x >= 0 && x + w <= planeW;
  if (!fullRows) dst.fill(fill, dstOff, dstOff + w * h);
  for (let r = 0; r < h; r++) {
    const sy = y + r;
    const d = dstOff + r * w;
    if (sy < 0 || sy >= planeH) {
      if (fullRows) dst.fill(fill, d, d + w);
      continue;
    }
    if (sx2 > sx1) dst.set(src.subarray(off + sy * planeW + sx1, off + sy * planeW + sx2), d + (sx1 - x));
  }
}
