/**
 * Real frames for calibration and accuracy checks: the shared street clips decoded with GStreamer
 * (gst-launch-1.0, the decoders the agent uses) to packed RGB at the model's square input size, every
 * n-th frame so each clip contributes frames spread over its whole length.
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

export interface ClipFrame { clip: string; index: number; rgb: Uint8Array }

export function videoClips(dir: string): string[] {
  if (!existsSync(dir)) throw new Error(`no clip folder ${dir}`);
  return readdirSync(dir).filter((f) => /\.(mp4|avi)$/i.test(f)).sort().map((f) => join(dir, f));
}

/**
 * Every `step`-th frame of one clip (counted on decoded frames, not timestamps: one clip's timestamps
 * are unreliable), each `size`x`size` RGB: a whole-frame squeeze, as the agent feeds a whole frame.
 * Streams the decoder's output, so only the kept frames are held.
 */
export async function decodeClipRgb(path: string, size: number, step: number): Promise<ClipFrame[]> {
  const child = spawn('gst-launch-1.0', [
    '-q', 'filesrc', `location=${path}`, '!', 'decodebin', '!', 'videoconvert', '!', 'videoscale', '!',
    `video/x-raw,format=RGB,width=${size},height=${size}`, '!', 'fdsink', 'fd=1',
  ], { stdio: ['ignore', 'pipe', 'ignore'] });
  const bytes = size * size * 3; // sizes are multiples of 4: rows carry no stride padding
  const frames: ClipFrame[] = [];
  let pending: Buffer = Buffer.alloc(0);
  let index = 0;
  for await (const chunk of child.stdout as AsyncIterable<Buffer>) {
    pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
    while (pending.length >= bytes) {
      if (index % step === 0) frames.push({ clip: path, index, rgb: new Uint8Array(pending.subarray(0, bytes)) });
      pending = pending.subarray(bytes);
      index++;
    }
  }
  const code = await new Promise<number | null>((resolve) => (child.exitCode !== null ? resolve(child.exitCode) : child.once('close', resolve)));
  if (code !== 0 || frames.length === 0) throw new Error(`gst-launch-1.0 could not decode ${path} (exit ${code}, ${frames.length} frames)`);
  return frames;
}

/** The model's float NHWC input (0-255, no normalisation: CenterNet's manifest). */
export function rgbToTensor(rgb: Uint8Array): Float32Array {
  return Float32Array.from(rgb);
}

/** Pixel standard deviation: a uniform (black, grey, lost-signal) frame has none. */
export function pixelSpread(rgb: Uint8Array): number {
  let sum = 0;
  let sq = 0;
  for (let i = 0; i < rgb.length; i++) { sum += rgb[i]; sq += rgb[i] * rgb[i]; }
  const mean = sum / rgb.length;
  return Math.sqrt(Math.max(0, sq / rgb.length - mean * mean));
}
