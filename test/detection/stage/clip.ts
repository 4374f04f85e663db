import path from 'node:path';
import type { VideoFrame } from '../../../agent/ingest/types.js';
import { decodeFrames } from '../../support/decode-frames.js';
import { VIDEOS_DIR } from '../../support/tmp.js';

export interface Clip {
  file: string;
  width: number;
  height: number;
  fps: number;
}

export const VEHICLES: Clip = { file: 'ozlu_vehicle_survaillance.mp4', width: 640, height: 352, fps: 24 };
export const PEDESTRIANS: Clip = { file: 'ozlu_pedestrian_survaillance.mp4', width: 626, height: 360, fps: 30 };

const cache = new Map<string, Promise<VideoFrame[]>>();

/** Decodes each clip once per test run (GStreamer decode costs seconds on a busy box). */
function decoded(clip: Clip, cameraId: string): Promise<VideoFrame[]> {
  const key = `${clip.file}:${cameraId}`;
  let p = cache.get(key);
  if (!p) {
    p = decodeFrames(path.join(VIDEOS_DIR, clip.file), { width: clip.width, height: clip.height, cameraId });
    cache.set(key, p);
  }
  return p;
}

/**
 * A real clip decoded by GStreamer, thinned to `detectFps` the way ingest delivers it, for camera
 * `cameraId`, with capture times starting at `startTs`.
 */
export async function clipFrames(clip: Clip, cameraId: string, detectFps: number, startTs: number): Promise<VideoFrame[]> {
  const all = await decoded(clip, cameraId);
  const out: VideoFrame[] = [];
  let lastSlot = -1;
  all.forEach((f, i) => {
    const slot = Math.floor((i * detectFps) / clip.fps);
    if (slot === lastSlot) return;
    lastSlot = slot;
    out.push({ ...f, seq: out.length, ts: startTs + Math.round((i * 1000) / clip.fps) });
  });
  return out;
}
