/**
 * The agent's own work around one inference (issue 14 item 4: <= 10 % of it): detect() on one 320
 * region of a real 640x352 frame minus the inference inside it, for the same weights with the
 * preprocessing in JavaScript (centernet-320: crop + bilinear resize + YUV->RGB into a float tensor in
 * the worker) and in the graph (centernet-320-i420: the worker copies the crop's rows).
 *   npx tsx scripts/bench/region-overhead.ts   (BENCH_OVERHEAD_RUNS=40)
 */
import os from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pixelBox } from '../../agent/detection/coords.js';
import { DetectorService } from '../../agent/detection/detector/index.js';
import { clipFrames, CLIPS } from '../../test/detection/detector/images.js';
import { REPO_ROOT } from '../../test/support/tmp.js';

const p50 = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

export async function run(): Promise<Record<string, unknown>> {
  const runs = Number(process.env.BENCH_OVERHEAD_RUNS ?? 40);
  const frames = clipFrames(CLIPS.vehicles, 2, 8);
  const region = pixelBox(160, 16, 480, 336);
  const out: Record<string, unknown> = { loadAverage1m: +os.loadavg()[0].toFixed(1) };
  for (const name of ['centernet-320', 'centernet-320-i420']) {
    const detector = await DetectorService.load({ manifestPath: join(REPO_ROOT, `models/${name}.manifest.json`), threads: 2, queueSize: 4 });
    const wall: number[] = [];
    try {
      for (let i = 0; i < runs + 5; i++) {
        const t0 = performance.now();
        await detector.detect({ cameraId: 'bench', frame: frames[i % frames.length], regions: [region] });
        if (i >= 5) wall.push(performance.now() - t0);
      }
      const inference = detector.stats().inferenceMsP50 ?? 0;
      const detect = p50(wall);
      out[name] = { detectMsP50: +detect.toFixed(1), inferenceMsP50: inference, overheadMsP50: +(detect - inference).toFixed(1), overheadPercent: +((100 * (detect - inference)) / inference).toFixed(0) };
      console.log(name, JSON.stringify(out[name]));
    } finally {
      await detector.close();
    }
  }
  return out;
}

if (require.main === module) void run().then(() => process.exit(0));
