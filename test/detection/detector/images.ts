/** Test inputs for the detector: the darknet oracle photos and real frames decoded from the street clips. */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import jpeg from 'jpeg-js';
import type { VideoFrame } from '../../../agent/ingest/types.js';
import { VIDEOS_DIR } from '../../support/tmp.js';

export const DARKNET_DATA = '/usr/share/darknet/data';

export interface RgbaImage {
  width: number;
  height: number;
  data: Uint8Array;
}

export function loadJpeg(path: string): RgbaImage {
  const img = jpeg.decode(readFileSync(path), { useTArray: true, formatAsRGBA: true });
  return { width: img.width, height: img.height, data: img.data };
}

/**
 * TF-style bilinear resize (asymmetric sampling, tf.image.resize_bilinear's default) to an NHWC
 * float tensor of 0-255 RGB: the preprocessing that reproduces the oracle figures.
 */
export function resizeToNhwc(img: RgbaImage, w: number, h: number): Float32Array {
  const out = new Float32Array(w * h * 3);
  const sx = img.width / w;
  const sy = img.height / h;
  for (let y = 0; y < h; y++) {
    const fy = y * sy;
    const y0 = Math.min(Math.floor(fy), img.height - 1);
    const y1 = Math.min(y0 + 1, img.height - 1);
    const wy = fy - y0;
    for (let x = 0; x < w; x++) {
      const fx = x * sx;
      const x0 = Math.min(Math.floor(fx), img.width - 1);
      const x1 = Math.min(x0 + 1, img.width - 1);
      const wx = fx - x0;
      for (let c = 0; c < 3; c++) {
        const p = (yy: number, xx: number): number => img.data[(yy * img.width + xx) * 4 + c];
        const top = p(y0, x0) + (p(y0, x1) - p(y0, x0)) * wx;
        const bot = p(y1, x0) + (p(y1, x1) - p(y1, x0)) * wx;
        out[(y * w + x) * 3 + c] = top + (bot - top) * wy;
      }
    }
  }
  return out;
}

/** RGBA → planar I420 (BT.601 limited range, 2x2 chroma average): a camera-like frame from a photo. */
export function rgbaToI420Frame(img: RgbaImage, cameraId = 'photo', seq = 0): VideoFrame {
  const { width: w, height: h, data } = img;
  const cw = (w + 1) >> 1;
  const ch = (h + 1) >> 1;
  const buf = Buffer.alloc(w * h + 2 * cw * ch);
  for (let i = 0; i < w * h; i++) {
    const r = data[i * 4], g = data[i * 4 + 1], b = data[i * 4 + 2];
    buf[i] = Math.round(16 + 0.257 * r + 0.504 * g + 0.098 * b);
  }
  for (let cy = 0; cy < ch; cy++) {
    for (let cx = 0; cx < cw; cx++) {
      let u = 0, v = 0, n = 0;
      for (let dy = 0; dy < 2; dy++) for (let dx = 0; dx < 2; dx++) {
        const x = Math.min(cx * 2 + dx, w - 1), y = Math.min(cy * 2 + dy, h - 1);
        const o = (y * w + x) * 4;
        const r = data[o], g = data[o + 1], b = data[o + 2];
        u += 128 - 0.148 * r - 0.291 * g + 0.439 * b;
        v += 128 + 0.439 * r - 0.368 * g - 0.071 * b;
        n++;
      }
      buf[w * h + cy * cw + cx] = Math.round(u / n);
      buf[w * h + cw * ch + cy * cw + cx] = Math.round(v / n);
    }
  }
  return { cameraId, seq, ts: Date.now(), width: w, height: h, format: 'I420', data: buf };
}

/** The street clips used here (sizes and rates from /work/shared/videos/README.md). */
export const CLIPS = {
  vehicles: { file: 'ozlu_vehicle_survaillance.mp4', width: 640, height: 352, fps: 24 },
  // 626 px rows would carry GStreamer's 4-byte stride padding: scaled to a packed width instead.
  pedestrians: { file: 'ozlu_pedestrian_survaillance.mp4', width: 624, height: 360, fps: 30 },
  parking: { file: 'intel_car-detection.mp4', width: 768, height: 432, fps: 12.5 },
} as const;

/**
 * Decodes `count` frames of a real clip, starting at `startSec`, to I420 with GStreamer
 * (gst-launch, the same decoders the agent uses).
 */
export function clipFrames(
  clip: { file: string; width: number; height: number; fps: number },
  startSec: number,
  count: number,
  cameraId: string = clip.file,
  videosDir: string = VIDEOS_DIR,
): VideoFrame[] {
  const { width, height } = clip;
  const path = join(videosDir, clip.file);
  const first = Math.round(startSec * clip.fps);
  const raw = execFileSync('gst-launch-1.0', [
    '-q', 'filesrc', `location=${path}`, '!', 'decodebin', '!', 'videoconvert', '!', 'videoscale', '!',
    `video/x-raw,format=I420,width=${width},height=${height}`, '!',
    'identity', `eos-after=${first + count}`, '!', 'fdsink', 'fd=1',
  ], { maxBuffer: 1024 * 1024 * 1024 });
  const size = width * height + 2 * ((width + 1) >> 1) * ((height + 1) >> 1);
  const frames: VideoFrame[] = [];
  for (let i = first; i < first + count && (i + 1) * size <= raw.length; i++) {
    frames.push({ cameraId, seq: i, ts: Date.now(), width, height, format: 'I420', data: Buffer.from(raw.subarray(i * size, (i + 1) * size)) });
  }
  if (frames.length < count) throw new Error(`${clip.file}: only ${frames.length} of ${count} frames from ${startSec}s`);
  return frames;
}
