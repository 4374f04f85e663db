import jpeg from 'jpeg-js';
import { i420ToRgb, type I420Image } from '../image/i420.js';
import type { PixelBox } from '../types.js';

/** JPEG quality of every snapshot (event snapshots, the status page's live view, the snapshot command). */
export const SNAPSHOT_QUALITY = 80;

const BOX_COLOUR: readonly [number, number, number] = [255, 32, 32];

/**
 * Draws `box` (frame pixels) as a rectangle outline on packed RGBA pixels. The line is about 0.5% of
 * the frame's short side, at least 2 px, so it stays visible on a 320x240 thumbnail and a 1080p
 * frame alike.
 */
export function drawBox(rgba: Uint8Array, width: number, height: number, box: PixelBox, colour = BOX_COLOUR): void {
  const t = Math.max(2, Math.round(Math.min(width, height) * 0.005));
  const x1 = clamp(Math.floor(box[0]), 0, width - 1);
  const y1 = clamp(Math.floor(box[1]), 0, height - 1);
  const x2 = clamp(Math.ceil(box[2]) - 1, 0, width - 1);
  const y2 = clamp(Math.ceil(box[3]) - 1, 0, height - 1);
  const fill = (ax: number, ay: number, bx: number, by: number): void => {
    for (let y = Math.max(0, ay); y <= Math.min(height - 1, by); y++) {
      for (let x = Math.max(0, ax); x <= Math.min(width - 1, bx); x++) {
        const o = (y * width + x) * 4;
        rgba[o] = colour[0];
        rgba[o + 1] = colour[1];
        rgba[o + 2] = colour[2];
      }
    }
  };
  fill(x1, y1, x2, y1 + t - 1);
  fill(x1, y2 - t + 1, x2, y2);
  fill(x1, y1, x1 + t - 1, y2);
  fill(x2 - t + 1, y1, x2, y2);
}

/** The frame as a JPEG with the boxes (an event's box, or the status page's live boxes) drawn. */
export function renderSnapshot(frame: I420Image, boxes: readonly PixelBox[]): Buffer {
  const rgb = i420ToRgb(frame);
  const n = frame.width * frame.height;
  const rgba = new Uint8Array(n * 4);
  for (let i = 0, o = 0; i < n * 3; i += 3, o += 4) {
    rgba[o] = rgb[i];
    rgba[o + 1] = rgb[i + 1];
    rgba[o + 2] = rgb[i + 2];
    rgba[o + 3] = 255;
  }
  for (const box of boxes) drawBox(rgba, frame.width, frame.height, box);
  return jpeg.encode({ data: rgba, width: frame.width, height: frame.height }, SNAPSHOT_QUALITY).data;
}

const clamp = (v: number, lo: number, hi: number): number => (v < lo ? lo : v > hi ? hi : v);
