/**
 * The detector bench's table per CenterNet variant (input size x fp32/int8): MACs from the graph,
 * raw inference p50/p95 at 1 and 2 threads, and a quick accuracy check against the reference —
 * today's default, models/centernet.onnx at 512 fp32 on the whole frame — on about 50 frames of
 * the shared clips: recall of its detections scoring >= 0.5 (same label, IoU >= 0.5, the variant's
 * detection scoring >= 0.5 too) and the variant's extra detections >= 0.5 the reference lacks, for
 * the labels the agent tracks.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import * as ort from 'onnxruntime-node';
import { pixelBox } from '../../../agent/detection/coords.js';
import { decodeCenterNetHeads } from '../../../agent/detection/detector/centernet-heads.js';
import { decodeCenterNet, type RawDetection } from '../../../agent/detection/detector/decoders.js';
import { nms } from '../../../agent/detection/detector/nms.js';
import { iou } from '../../../agent/detection/geometry.js';
import { detectorSessionOptions } from '../../../agent/detection/detector/session-options.js';
import type { Detection } from '../../../agent/detection/types.js';
import { decodeClipRgb, rgbToTensor, videoClips } from '../../calibration-frames.js';
import { CALIBRATION_LABELS } from '../../calibrate-model.js';
import { CENTERNET_HEADS_OUTPUT, CENTERNET_INPUT, CENTERNET_SIZES, type Precision, variantName } from '../../centernet-variants.js';
import { convertCenternetHeads } from '../../convert-model.js';

const WARMUP = 3;
/** Every 36th frame of the four clips: 47 frames. */
const FRAME_STEP = 36;
const SCORE = 0.5;

export interface VariantRow {
  variant: string;
  gmacs: number;
  threads1: { p50: number; p95: number };
  threads2: { p50: number; p95: number };
  recall: number;
  extra: number;
  referenceDetections: number;
}

export function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return Math.round(s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))] * 10) / 10;
}

async function timed(session: ort.InferenceSession, feeds: Float32Array[], size: number, runs: number): Promise<{ p50: number; p95: number }> {
  const times: number[] = [];
  for (let i = 0; i < WARMUP + runs; i++) {
    const t0 = performance.now();
    await session.run({ [CENTERNET_INPUT]: new ort.Tensor('float32', feeds[i % feeds.length], [1, size, size, 3]) });
    if (i >= WARMUP) times.push(performance.now() - t0);
  }
  return { p50: pct(times, 50), p95: pct(times, 95) };
}

/** Tracked-label detections >= SCORE after class-aware NMS, boxes as 0..1 of the frame. */
function tracked(raw: RawDetection[], size: number, labels: string[]): Detection[] {
  const wanted = new Set(CALIBRATION_LABELS);
  const dets = raw.filter((d) => d.score >= SCORE && wanted.has(labels[d.classIndex]))
    .map((d): Detection => ({ label: labels[d.classIndex], score: d.score, box: pixelBox(d.box[0] / size, d.box[1] / size, d.box[2] / size, d.box[3] / size) }));
  return nms(dets, 0.5);
}

function compare(reference: Detection[][], variant: Detection[][]): { recall: number; extra: number; referenceDetections: number } {
  let found = 0;
  let total = 0;
  let extra = 0;
  reference.forEach((ref, f) => {
    const got = variant[f];
    total += ref.length;
    found += ref.filter((r) => got.some((g) => g.label === r.label && iou(g.box, r.box) >= 0.5)).length;
    extra += got.filter((g) => !ref.some((r) => r.label === g.label && iou(g.box, r.box) >= 0.5)).length;
  });
  return { recall: total ? Math.round((1000 * found) / total) / 10 : 100, extra: total ? Math.round((1000 * extra) / total) / 10 : 0, referenceDetections: total };
}

export async function variantTable(root: string, clipsDir: string, runs: number, labels: string[]): Promise<VariantRow[]> {
  const clips = videoClips(clipsDir);
  const framesAt = async (size: number): Promise<Float32Array[]> =>
    (await Promise.all(clips.map((c) => decodeClipRgb(c, size, FRAME_STEP)))).flat().map((f) => rgbToTensor(f.rgb));

  const refFrames = await framesAt(512);
  const refSession = await ort.InferenceSession.create(join(root, 'models/centernet.onnx'), detectorSessionOptions(2));
  const reference: Detection[][] = [];
  for (const x of refFrames) {
    const out = (await refSession.run({ [CENTERNET_INPUT]: new ort.Tensor('float32', x, [1, 512, 512, 3]) }))['tower_0/detections'];
    reference.push(tracked(decodeCenterNet(out.data as Float32Array, out.dims, { minScore: SCORE, classes: labels.length, inputWidth: 512, inputHeight: 512, boxUnits: 'pixels' }), 512, labels));
  }
  await refSession.release();

  const rows: VariantRow[] = [];
  for (const size of CENTERNET_SIZES) {
    const frames = await framesAt(size);
    const gmacs = Math.round((await convertCenternetHeads(size, root)).macs / 1e7) / 100;
    for (const precision of ['fp32', 'int8'] as Precision[]) {
      const name = variantName(size, precision);
      const path = join(root, `models/${name}.onnx`);
      if (!existsSync(path)) continue;
      const one = await ort.InferenceSession.create(path, detectorSessionOptions(1));
      const threads1 = await timed(one, frames, size, runs);
      await one.release();
      const two = await ort.InferenceSession.create(path, detectorSessionOptions(2));
      const threads2 = await timed(two, frames, size, runs);
      const found: Detection[][] = [];
      for (const x of frames) {
        const out = (await two.run({ [CENTERNET_INPUT]: new ort.Tensor('float32', x, [1, size, size, 3]) }))[CENTERNET_HEADS_OUTPUT];
        found.push(tracked(decodeCenterNetHeads(out.data as Float32Array, out.dims, { minScore: SCORE, classes: labels.length, inputWidth: size, inputHeight: size, boxUnits: 'pixels' }), size, labels));
      }
      await two.release();
      rows.push({ variant: name, gmacs, threads1, threads2, ...compare(reference, found) });
    }
  }
  return rows;
}

export function printVariantTable(rows: VariantRow[]): void {
  console.log('  variant              GMACs  1 thread p50/p95 ms  2 threads p50/p95 ms  recall %  extra %  (vs 512 fp32 whole frame, n)');
  for (const r of rows) {
    console.log(`  ${r.variant.padEnd(20)} ${r.gmacs.toFixed(2).padStart(5)}  ${`${r.threads1.p50} / ${r.threads1.p95}`.padStart(19)}  ${`${r.threads2.p50} / ${r.threads2.p95}`.padStart(20)}  ${r.recall.toFixed(1).padStart(8)}  ${r.extra.toFixed(1).padStart(7)}  ${r.referenceDetections}`);
  }
}
