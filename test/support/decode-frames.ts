import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { VideoFrame } from '../../agent/ingest/types.js';
import { tempDir } from './tmp.js';

export interface DecodeOptions {
  width: number;
  height: number;
  /** Resample to this rate (videorate); omit to keep the file's own rate. */
  fps?: number;
  /** Stop after this many frames. */
  maxFrames?: number;
  /** cameraId written into the frames (default: the file name). */
  cameraId?: string;
}

const roundUp4 = (n: number): number => (n + 3) & ~3;

/**
 * Decodes a video file with real GStreamer (gst-launch-1.0 to a raw I420 file) into tightly packed
 * VideoFrames, the shape ingest hands to detection. GStreamer pads I420 rows to 4-byte strides, so
 * odd sizes are repacked here. Timestamps advance by 1/fps from 0.
 */
export async function decodeFrames(file: string, opts: DecodeOptions): Promise<VideoFrame[]> {
  const { width: w, height: h } = opts;
  const tmp = tempDir('decode-frames-');
  try {
    const raw = path.join(tmp.dir, 'frames.i420');
    const rate = opts.fps ? ['!', 'videorate'] : [];
    const caps = `video/x-raw,format=I420,width=${w},height=${h},pixel-aspect-ratio=1/1` + (opts.fps ? `,framerate=(fraction)${Math.round(opts.fps * 1000)}/1000` : '');
    const args = ['-q', 'filesrc', `location=${file}`, '!', 'decodebin', '!', 'videoconvert', '!', 'videoscale', ...rate, '!', caps, '!', 'filesink', `location=${raw}`];
    await new Promise<void>((resolve, reject) => {
      execFile('gst-launch-1.0', args, { timeout: 120000 }, (err, _out, stderr) =>
        err ? reject(new Error(`gst-launch failed for ${file}: ${err.message}\n${stderr}`)) : resolve(),
      );
    });
    return splitI420(readFileSync(raw), w, h, opts.fps ?? 25, opts.maxFrames ?? Infinity, opts.cameraId ?? path.basename(file));
  } finally {
    tmp.cleanup();
  }
}

function splitI420(buf: Buffer, w: number, h: number, fps: number, maxFrames: number, cameraId: string): VideoFrame[] {
  const cw = (w + 1) >> 1;
  const ch = (h + 1) >> 1;
  const ys = roundUp4(w);
  const cs = roundUp4(cw);
  const paddedSize = ys * h + 2 * cs * ch;
  const tightSize = w * h + 2 * cw * ch;
  const n = Math.min(Math.floor(buf.length / paddedSize), maxFrames);
  const frames: VideoFrame[] = [];
  for (let i = 0; i < n; i++) {
    const src = i * paddedSize;
    const data = Buffer.allocUnsafe(tightSize);
    copyPlane(buf, src, ys, data, 0, w, h);
    copyPlane(buf, src + ys * h, cs, data, w * h, cw, ch);
    copyPlane(buf, src + ys * h + cs * ch, cs, data, w * h + cw * ch, cw, ch);
    frames.push({ cameraId, seq: i, ts: Math.round((i * 1000) / fps), width: w, height: h, format: 'I420', data });
  }
  return frames;
}

function copyPlane(src: Buffer, srcOff: number, stride: number, dst: Buffer, dstOff: number, w: number, h: number): void {
  if (stride === w) {
    src.copy(dst, dstOff, srcOff, srcOff + w * h);
    return;
  }
  for (let r = 0; r < h; r++) src.copy(dst, dstOff + r * w, srcOff + r * stride, srcOff + r * stride + w);
}
