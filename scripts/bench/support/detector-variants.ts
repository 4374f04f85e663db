/**
 * The detector bench's table per CenterNet variant (input shape x fp32/int8), all of them interleaved
 * frame by frame, each measured the way the agent runs it — through the DetectorService, on I420 frames
 * of the four shared clips at the default 640x360, the whole frame as the agent shows it to that model (a square one letterboxed, the
 * frame-shaped one as it is): MACs from the graph, inference p50/p95 at 1 and 2 threads (inside the
 * worker), the whole detect() p50 at 2 threads, and accuracy against the reference — models/centernet.onnx
 * (512x512 fp32) on the same whole frames: recall of its detections scoring >= 0.5 (same label,
 * IoU >= 0.5) when the variant scores them >= 0.3 (what the agent tracks) and >= 0.5, and the variant's
 * extra detections >= 0.5 where the reference has nothing of that label >= 0.3, for the labels the agent
 * tracks (labels, thresholds and matching from the accuracy gate's gate-scoring.ts).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pixelBox } from '../../../agent/detection/coords.js';
import { DetectorService } from '../../../agent/detection/detector/index.js';
import { planRegions } from '../../../agent/detection/regions.js';
import type { Detection, PixelBox } from '../../../agent/detection/types.js';
import type { VideoFrame } from '../../../agent/ingest/types.js';
import { CONFIDENT, matches, SEEN, tracked } from '../../../test/detection/stage/gate-scoring.js';
import { decodeFrames } from '../../../test/support/decode-frames.js';
import { CENTERNET_SMALL_SHAPE, CENTERNET_FRAME_SHAPE, CENTERNET_SIZES, type ClassSet, type Precision, variantName } from '../../centernet-variants.js';
import { convertCenternetFrameShaped, convertCenternetHeads } from '../../convert-model.js';

const CLIPS = ['intel_car-detection.mp4', 'bgslib_video02.avi', 'ozlu_vehicle_survaillance.mp4', 'ozlu_pedestrian_survaillance.mp4'];
/** Every 6th frame at 5 fps of the four clips: about 80 frames. */
const FRAME_STEP = 6;

export interface VariantRow {
  variant: string;
  gmacs: number;
  threads1: { p50: number | null; p95: number | null };
  threads2: { p50: number | null; p95: number | null };
  detectMsP50: number;
  /** Of the reference's confident detections, those the variant scores >= 0.3 / >= 0.5. */
  recallSeen: number;
  recallConfident: number;
  /** The variant's confident detections where the reference has nothing >= 0.3, per reference detection. */
  extra: number;
  referenceDetections: number;
}

export function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return Math.round(s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))] * 10) / 10;
}

/** The whole frame as the agent's detection stage hands it to a model of this shape. */
export function wholeFrame(frame: { width: number; height: number }, model: { width: number; height: number }): PixelBox[] {
  return planRegions([pixelBox(0, 0, frame.width, frame.height)], frame.width, frame.height, model);
}

interface Measured { found: Detection[][]; detectMs: number[]; p50: number | null; p95: number | null }

/**
 * Every model of `manifestPaths` at `threads`, interleaved frame by frame (one detect() of each in turn),
 * so that all of them see the same moments of a noisy box: run one after another, a variant measured
 * while the box was busy looked slower than one measured a minute later.
 */
async function detectInterleaved(manifestPaths: string[], threads: number, frames: VideoFrame[], runs: number): Promise<Measured[]> {
  const detectors: DetectorService[] = [];
  try {
    for (const manifestPath of manifestPaths) detectors.push(await DetectorService.load({ manifestPath, threads, queueSize: 4 }));
    const out = detectors.map(() => ({ found: [] as Detection[][], detectMs: [] as number[] }));
    for (let i = 0; i < Math.max(runs, frames.length); i++) {
      const frame = frames[i % frames.length];
      for (const [k, detector] of detectors.entries()) {
        const t0 = performance.now();
        const r = await detector.detect({ cameraId: 'bench', frame, regions: wholeFrame(frame, detector.inputSize) });
        out[k].detectMs.push(performance.now() - t0);
        if (r === 'dropped') throw new Error('a job was dropped with one caller');
        if (i < frames.length) out[k].found.push(r);
      }
    }
    return out.map((o, k) => {
      const s = detectors[k].stats();
      return { ...o, p50: s.inferenceMsP50, p95: s.inferenceMsP95 };
    });
  } finally {
    await Promise.all(detectors.map((d) => d.close()));
  }
}

export async function variantTable(root: string, clipsDir: string, runs: number): Promise<VariantRow[]> {
  const frames: VideoFrame[] = [];
  for (const clip of CLIPS) {
    const all = await decodeFrames(join(clipsDir, clip), { width: 640, height: 360, fps: 5, cameraId: 'bench' });
    frames.push(...all.filter((_, i) => i % FRAME_STEP === 0));
  }
  const reference = (await detectInterleaved([join(root, 'models/centernet.manifest.json')], 2, frames, 0))[0].found;
  const shapes: { width: number; height: number; classes: ClassSet }[] = [
    ...CENTERNET_SIZES.map((s) => ({ width: s, height: s, classes: 'coco' as const })),
    { ...CENTERNET_FRAME_SHAPE, classes: 'coco' },
    { ...CENTERNET_FRAME_SHAPE, classes: 'road' },
    { ...CENTERNET_SMALL_SHAPE, classes: 'road' },
  ];
  const variants: { name: string; gmacs: number; manifestPath: string }[] = [];
  for (const shape of shapes) {
    // The frame-shaped models as set-up writes them (their channels padded: align-channels.ts), the square ones head-cut.
    const frameShaped = shape.width !== shape.height;
    const converted = frameShaped ? await convertCenternetFrameShaped(root, shape.classes, shape) : await convertCenternetHeads(shape.width, root, shape.height);
    const gmacs = Math.round(converted.macs / 1e7) / 100;
    for (const precision of ['fp32', 'int8'] as Precision[]) {
      const name = variantName(shape, precision, shape.classes);
      const manifestPath = join(root, `models/${name}.manifest.json`);
      if (existsSync(manifestPath) && existsSync(join(root, `models/${name}.onnx`))) variants.push({ name, gmacs, manifestPath });
    }
  }
  const paths = variants.map((v) => v.manifestPath);
  const oneThread = await detectInterleaved(paths, 1, frames, runs);
  const twoThreads = await detectInterleaved(paths, 2, frames, runs);
  const rows: VariantRow[] = [];
  for (const [k, v] of variants.entries()) {
    const one = oneThread[k];
    const two = twoThreads[k];
    let total = 0;
    let seen = 0;
    let confident = 0;
    let extra = 0;
    reference.forEach((refAll, f) => {
      const ref = tracked(refAll, CONFIDENT);
      total += ref.length;
      seen += ref.filter((r) => tracked(two.found[f], SEEN).some((g) => matches(g, r))).length;
      confident += ref.filter((r) => tracked(two.found[f], CONFIDENT).some((g) => matches(g, r))).length;
      extra += tracked(two.found[f], CONFIDENT).filter((g) => !tracked(refAll, SEEN).some((r) => matches(g, r))).length;
    });
    const share = (n: number): number => (total ? Math.round((1000 * n) / total) / 10 : 0);
    rows.push({
      variant: v.name, gmacs: v.gmacs,
      threads1: { p50: one.p50, p95: one.p95 }, threads2: { p50: two.p50, p95: two.p95 },
      detectMsP50: pct(two.detectMs, 50),
      recallSeen: share(seen), recallConfident: share(confident), extra: share(extra), referenceDetections: total,
    });
  }
  return rows;
}

export function printVariantTable(rows: VariantRow[]): void {
  console.log('  variant                      GMACs  1 thread p50/p95 ms  2 threads p50/p95 ms  detect() p50  recall % (>=0.3 / >=0.5)  extra %  (vs 512x512 fp32 whole frame, n)');
  for (const r of rows) {
    console.log(`  ${r.variant.padEnd(28)} ${r.gmacs.toFixed(2).padStart(5)}  ${`${r.threads1.p50} / ${r.threads1.p95}`.padStart(19)}  ${`${r.threads2.p50} / ${r.threads2.p95}`.padStart(20)}  ${String(r.detectMsP50).padStart(12)}  ${`${r.recallSeen.toFixed(1)} / ${r.recallConfident.toFixed(1)}`.padStart(24)}  ${r.extra.toFixed(1).padStart(7)}  ${r.referenceDetections}`);
  }
}
