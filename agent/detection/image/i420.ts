import { pixelBox } from '../coords.js';
import type { PixelBox } from '../types.js';

/** Planar I420 view: Y (w*h), then U and V (each ceil(w/2)*ceil(h/2)). */
export interface I420Image {
  width: number;
  height: number;
  data: Uint8Array;
}

function planes(img: I420Image): { y: number; u: number; v: number; cw: number } {
  const cw = (img.width + 1) >> 1;
  const ch = (img.height + 1) >> 1;
  const y = 0;
  const u = img.width * img.height;
  return { y, u, v: u + cw * ch, cw };
}

const clamp = (v: number): number => (v < 0 ? 0 : v > 255 ? 255 : v);

/**
 * BT.601 limited range, the conversion the whole agent uses: RGB = matrix · (YUV − offset), rows R, G, B
 * over columns Y, U, V. Written out inline where it runs per pixel; this is the copy the model
 * converter folds into a graph (models/converter/i420-input.ts).
 */
export const BT601_LIMITED = {
  offset: [16, 128, 128],
  matrix: [
    [1.164, 0, 1.596],
    [1.164, -0.392, -0.813],
    [1.164, 2.017, 0],
  ],
} as const;

/** BT.601 limited-range YUV -> RGB for one pixel, written at out[o..o+2]. */
function yuvToRgb(Y: number, U: number, V: number, out: Uint8Array, o: number): void {
  const c = (Y - 16) * 1.164;
  const d = U - 128;
  const e = V - 128;
  out[o] = clamp(c + 1.596 * e);
  out[o + 1] = clamp(c - 0.392 * d - 0.813 * e);
  out[o + 2] = clamp(c + 2.017 * d);
}

/** The whole frame as packed RGB (HWC), e.g. for a snapshot JPEG. */
export function i420ToRgb(img: I420Image): Uint8Array {
  return cropResizeToRgb(img, pixelBox(0, 0, img.width, img.height), img.width, img.height);
}

/**
 * Crops `region` (pixels, may extend past the frame: outside is black) and resizes it to outW x outH
 * packed RGB (HWC, 0-255) with nearest-neighbour sampling in one pass — the detector's input.
 */
export function cropResizeToRgb(img: I420Image, region: PixelBox, outW: number, outH: number): Uint8Array {
  const { u, v, cw } = planes(img);
  const out = new Uint8Array(outW * outH * 3);
  const [x1, y1, x2, y2] = region;
  const sx = (x2 - x1) / outW;
  const sy = (y2 - y1) / outH;
  const src = img.data;
  const xs = new Int32Array(outW);
  for (let ox = 0; ox < outW; ox++) xs[ox] = Math.floor(x1 + (ox + 0.5) * sx);
  let o = 0;
  for (let oy = 0; oy < outH; oy++) {
    const yy = Math.floor(y1 + (oy + 0.5) * sy);
    if (yy < 0 || yy >= img.height) { o += outW * 3; continue; }
    const row = yy * img.width;
    const crow = (yy >> 1) * cw;
    for (let ox = 0; ox < outW; ox++, o += 3) {
      const xx = xs[ox];
      if (xx < 0 || xx >= img.width) continue;
      const ci = crow + (xx >> 1);
      yuvToRgb(src[row + xx], src[u + ci], src[v + ci], out, o);
    }
  }
  return out;
}
