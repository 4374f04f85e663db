/**
 * Snapshot JPEG cost per 640x360 frame of a real street clip, box drawn: before (jpeg-js, pure
 * JavaScript, as the agent encoded until issue 14) and after (SnapshotEncoder: box drawn on the I420
 * here, jpegenc in the JPEG process), each encode awaited, so the figure is what one snapshot costs
 * end to end, IPC included. `npx tsx scripts/bench/snapshot.ts`
 */
import path from 'node:path';
import jpeg from 'jpeg-js';
import { pixelBox } from '../../agent/detection/coords.js';
import { i420ToRgb, type I420Image } from '../../agent/detection/image/i420.js';
import { SnapshotEncoder } from '../../agent/detection/snapshot/encoder.js';
import { SNAPSHOT_QUALITY } from '../../agent/detection/snapshot/render.js';
import { decodeFrames } from '../../test/support/decode-frames.js';
import { VIDEOS_DIR } from '../../test/support/tmp.js';
import { percentile } from './support/stats.js';

const FRAMES = 60;
const BOX = pixelBox(200, 100, 420, 300);

/** The encode the agent did before: I420 -> RGBA, box painted, jpeg-js at SNAPSHOT_QUALITY. */
function jpegJs(frame: I420Image): Buffer {
  const rgb = i420ToRgb(frame);
  const n = frame.width * frame.height;
  const rgba = new Uint8Array(n * 4);
  for (let i = 0, o = 0; i < n; i++, o += 4) {
    rgba[o] = rgb[i * 3];
    rgba[o + 1] = rgb[i * 3 + 1];
    rgba[o + 2] = rgb[i * 3 + 2];
    rgba[o + 3] = 255;
  }
  for (let y = BOX[1]; y < BOX[3]; y++) {
    for (let x = BOX[0]; x < BOX[2]; x++) {
      if (y - BOX[1] > 1 && BOX[3] - y > 2 && x - BOX[0] > 1 && BOX[2] - x > 2) continue;
      rgba.set([255, 32, 32], (y * frame.width + x) * 4);
    }
  }
  return jpeg.encode({ data: rgba, width: frame.width, height: frame.height }, SNAPSHOT_QUALITY).data;
}

export async function run(): Promise<Record<string, unknown>> {
  const file = path.join(VIDEOS_DIR, 'ozlu_pedestrian_survaillance.mp4');
  const frames = await decodeFrames(file, { width: 640, height: 360, fps: 5, maxFrames: FRAMES });

  const before: number[] = [];
  let beforeBytes = 0;
  for (const f of frames.slice(0, 20)) {
    const t = performance.now();
    beforeBytes += jpegJs(f).length;
    before.push(performance.now() - t);
  }

  const encoder = new SnapshotEncoder();
  const t0 = performance.now();
  await encoder.encodePixels(frames[0], [BOX]);
  const startMs = performance.now() - t0;
  const after: number[] = [];
  let afterBytes = 0;
  for (const f of frames) {
    const t = performance.now();
    afterBytes += (await encoder.encodePixels(f, [BOX])).length;
    after.push(performance.now() - t);
  }
  await encoder.close();

  const figures = {
    frames: `${frames.length} (jpeg-js: 20) of ${path.basename(file)}, 640x360, quality ${SNAPSHOT_QUALITY}`,
    jpegJsMsP50: percentile(before, 50),
    jpegJsMsP95: percentile(before, 95),
    jpegJsKbAvg: Math.round(beforeBytes / before.length / 1024),
    jpegencMsP50: percentile(after, 50),
    jpegencMsP95: percentile(after, 95),
    jpegencKbAvg: Math.round(afterBytes / after.length / 1024),
    jpegProcessStartMs: Math.round(startMs),
  };
  process.stdout.write(
    `snapshot 640x360: jpeg-js p50 ${figures.jpegJsMsP50} ms / p95 ${figures.jpegJsMsP95} ms (${figures.jpegJsKbAvg} KB); ` +
      `jpegenc p50 ${figures.jpegencMsP50} ms / p95 ${figures.jpegencMsP95} ms (${figures.jpegencKbAvg} KB); process start ${figures.jpegProcessStartMs} ms\n`,
  );
  return figures;
}

if (require.main === module) {
  run().then(() => process.exit(0), (err: unknown) => {
    process.stderr.write(`${String(err)}\n`);
    process.exit(1);
  });
}
