import type { I420Image } from '../image/i420.js';
import type { PixelBox } from '../types.js';

/** JPEG quality of every snapshot (event snapshots, the status page's live view, the snapshot command). */
export const SNAPSHOT_QUALITY = 80;

/** The box colour, RGB (255, 32, 32), as full-range (JFIF) Y, Cb, Cr. */
const BOX_YUV: readonly [number, number, number] = [99, 90, 240];

/**
 * GStreamer's default I420 layout for a size (gst_video_info_set_format): rows padded to 4 bytes,
 * odd sizes rounded up. The JPEG process's appsrc reads frames in exactly this layout.
 */
export function gstI420Layout(width: number, height: number): { yStride: number; cStride: number; u: number; v: number; chromaRows: number; size: number } {
  const up2 = (n: number): number => (n + 1) & ~1;
  const up4 = (n: number): number => (n + 3) & ~3;
  const yStride = up4(width);
  const cStride = up4(up2(width) / 2);
  const chromaRows = up2(height) / 2;
  const u = yStride * up2(height);
  const v = u + cStride * chromaRows;
  return { yStride, cStride, u, v, chromaRows, size: v + cStride * chromaRows };
}

/** Limited-range (BT.601 video, 16-235 / 16-240) to full-range (JFIF) lookup tables. */
const LUMA = Uint8Array.from({ length: 256 }, (_, i) => Math.round(Math.min(255, Math.max(0, ((i - 16) * 255) / 219))));
const CHROMA = Uint8Array.from({ length: 256 }, (_, i) => Math.round(Math.min(255, Math.max(0, ((i - 128) * 255) / 224 + 128))));

/**
 * The frame, ready for jpegenc: a copy in GStreamer's I420 layout, mapped from the decoders' limited
 * range to the full range a JPEG viewer assumes (jpegenc stores samples as they come, so without
 * this a snapshot looks washed out), with the boxes outlined in red. The line is about 0.5% of the
 * frame's short side, at least 2 px, so it stays visible on a 320x240 thumbnail and a 1080p frame alike.
 */
export function snapshotI420(frame: I420Image, boxes: readonly PixelBox[]): Uint8Array {
  const { width, height, data } = frame;
  const L = gstI420Layout(width, height);
  const out = new Uint8Array(L.size);
  const cw = (width + 1) >> 1;
  const ch = (height + 1) >> 1;
  const srcU = width * height;
  const srcV = srcU + cw * ch;
  for (let y = 0; y < height; y++) mapRow(data, y * width, out, y * L.yStride, width, LUMA);
  for (let y = 0; y < ch; y++) {
    mapRow(data, srcU + y * cw, out, L.u + y * L.cStride, cw, CHROMA);
    mapRow(data, srcV + y * cw, out, L.v + y * L.cStride, cw, CHROMA);
  }
  const fill = (ax: number, ay: number, bx: number, by: number): void => {
    fillPlane(out, 0, L.yStride, ax, ay, bx, by, BOX_YUV[0]);
    fillPlane(out, L.u, L.cStride, ax >> 1, ay >> 1, bx >> 1, by >> 1, BOX_YUV[1]);
    fillPlane(out, L.v, L.cStride, ax >> 1, ay >> 1, bx >> 1, by >> 1, BOX_YUV[2]);
  };
  const t = Math.max(2, Math.round(Math.min(width, height) * 0.005));
  for (const box of boxes) {
    const x1 = clamp(Math.floor(box[0]), 0, width - 1);
    const y1 = clamp(Math.floor(box[1]), 0, height - 1);
    const x2 = clamp(Math.ceil(box[2]) - 1, 0, width - 1);
    const y2 = clamp(Math.ceil(box[3]) - 1, 0, height - 1);
    fill(x1, y1, x2, Math.min(y2, y1 + t - 1));
    fill(x1, Math.max(y1, y2 - t + 1), x2, y2);
    fill(x1, y1, Math.min(x2, x1 + t - 1), y2);
    fill(Math.max(x1, x2 - t + 1), y1, x2, y2);
  }
  return out;
}

function mapRow(src: Uint8Array, from: number, dst: Uint8Array, to: number, n: number, lut: Uint8Array): void {
  for (let i = 0; i < n; i++) dst[to + i] = lut[src[from + i]];
}

/** Fills the inclusive rectangle (ax,ay)-(bx,by) of one plane. */
function fillPlane(buf: Uint8Array, offset: number, stride: number, ax: number, ay: number, bx: number, by: number, value: number): void {
  for (let y = ay; y <= by; y++) buf.fill(value, offset + y * stride + ax, offset + y * stride + bx + 1);
}

const clamp = (v: number, lo: number, hi: number): number => (v < lo ? lo : v > hi ? hi : v);
