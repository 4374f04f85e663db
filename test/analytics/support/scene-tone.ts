import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { sceneToneRgb, type SceneTone } from '../../../agent/analytics/colour.js';
import { tempDir } from '../../support/tmp.js';

const W = 64;
const H = 36;

/**
 * Scene tone of given frames of a video, as the agent would take it from the live frame: real
 * GStreamer decodes the clip (decode order, like the fixtures' frame numbers) to a 64x36 RGB
 * thumbnail per frame, the same size colour.ts's sceneTone() samples.
 */
export async function sceneTones(video: string, frames: readonly number[]): Promise<Map<number, SceneTone>> {
  const tmp = tempDir('scene-tone-');
  try {
    const raw = path.join(tmp.dir, 'thumbs.rgb');
    const args = ['-q', 'filesrc', `location=${video}`, '!', 'decodebin', '!', 'videoconvert', '!', 'videoscale', '!', `video/x-raw,format=RGB,width=${W},height=${H}`, '!', 'filesink', `location=${raw}`];
    await new Promise<void>((resolve, reject) => {
      execFile('gst-launch-1.0', args, { timeout: 120_000 }, (err, _o, stderr) => (err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve()));
    });
    const buf = readFileSync(raw);
    const size = W * H * 3; // 64*3 is a multiple of 4: GStreamer adds no row padding
    const out = new Map<number, SceneTone>();
    for (const f of frames) {
      if ((f + 1) * size > buf.length) throw new Error(`${video} has no frame ${f}`);
      out.set(f, sceneToneRgb({ width: W, height: H, data: buf.subarray(f * size, (f + 1) * size) }));
    }
    return out;
  } finally {
    tmp.cleanup();
  }
}
