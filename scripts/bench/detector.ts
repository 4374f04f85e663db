/**
 * Detector figures for the default model (detection.model's default): onnxruntime inference ms
 * (p50/p95) at 1 and 2 intra-op threads, the whole detect() call (I420 crop + bilinear resize,
 * inference and decode in the worker, NMS) and the preprocessing alone, on real frames of a street
 * clip seen whole, as the detection stage hands them over; the agent's own work around an inference
 * (detect() minus inference) as a share of it.
 * Then a table per CenterNet variant (shape x fp32/int8: MACs, inference p50/p95 at 1 and 2 threads,
 * detect() p50, recall/extra vs the 512x512 fp32 whole-frame reference: support/detector-variants.ts).
 * Standalone: `npx tsx scripts/bench/detector.ts` (after scripts/setup.sh made the models).
 */
import { existsSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import * as ort from 'onnxruntime-node';
import { DetectorService } from '../../agent/detection/detector/index.js';
import { validateConfig } from '../../agent/config/validate.js';
import { loadManifest, type LoadedManifest } from '../../agent/detection/detector/manifest.js';
import { i420RegionToTensor } from '../../agent/detection/detector/preprocess.js';
import { detectorSessionOptions } from '../../agent/detection/detector/session-options.js';
import type { VideoFrame } from '../../agent/ingest/types.js';
import { CLIPS, clipFrames } from '../../test/detection/detector/images.js';
import { VIDEOS_DIR } from '../../test/support/tmp.js';
import { repoRoot } from '../convert-model.js';
import { pct, printVariantTable, variantTable, wholeFrame } from './support/detector-variants.js';

const WARMUP = 3;
const RUNS = Number(process.env.BENCH_DETECTOR_RUNS ?? 30);

/** Raw session.run() time with the service's session options, free of queueing and preprocessing. */
async function inferenceMs(manifest: LoadedManifest, threads: number, inputs: Float32Array[]): Promise<number[]> {
  const session = await ort.InferenceSession.create(manifest.modelPath, detectorSessionOptions(threads));
  const { name, width, height } = manifest.input;
  try {
    const times: number[] = [];
    for (let i = 0; i < WARMUP + RUNS; i++) {
      const feed = { [name]: new ort.Tensor('float32', inputs[i % inputs.length], [1, height, width, 3]) };
      const t0 = performance.now();
      await session.run(feed);
      if (i >= WARMUP) times.push(performance.now() - t0);
    }
    return times;
  } finally {
    await session.release();
  }
}

/** The whole detect() call through the shared service (worker thread, crop, decode, NMS). */
async function detectMs(manifestPath: string, threads: number, frames: VideoFrame[]): Promise<{ times: number[]; objects: number }> {
  const detector = await DetectorService.load({ manifestPath, threads, queueSize: 4 });
  try {
    const times: number[] = [];
    let objects = 0;
    for (let i = 0; i < WARMUP + RUNS; i++) {
      const frame = frames[i % frames.length];
      const t0 = performance.now();
      const r = await detector.detect({ cameraId: 'bench', frame, regions: wholeFrame(frame, detector.inputSize) });
      if (i < WARMUP) continue;
      times.push(performance.now() - t0);
      if (r !== 'dropped') objects += r.length;
    }
    return { times, objects: objects / RUNS };
  } finally {
    await detector.close();
  }
}

export async function run(): Promise<Record<string, unknown>> {
  const root = repoRoot(__dirname);
  const defaults = validateConfig({ mqtt: { url: 'mqtt://127.0.0.1:1' } });
  if (!defaults.ok) throw new Error('the default config does not validate');
  const manifestPath = join(root, defaults.config.detection.model);
  if (!existsSync(manifestPath)) throw new Error(`${manifestPath} missing: run scripts/setup.sh first`);
  const manifest = loadManifest(manifestPath);
  const clip = CLIPS.vehicles;
  const frames = clipFrames(clip, 2, 12, 'bench');

  const { width, height, layout, channels, scale, mean, std } = manifest.input;
  const spec = { width, height, layout, channels, scale, mean, std };
  const pre: number[] = [];
  const inputs: Float32Array[] = [];
  for (let i = 0; i < WARMUP + 20; i++) {
    const frame = frames[i % frames.length];
    const t0 = performance.now();
    const t = i420RegionToTensor(frame, wholeFrame(frame, manifest.input)[0], spec);
    if (i >= WARMUP) pre.push(performance.now() - t0);
    if (inputs.length < frames.length) inputs.push(t);
  }
  const row = async (threads: number): Promise<Record<string, number>> => {
    const inf = await inferenceMs(manifest, threads, inputs);
    const det = await detectMs(manifestPath, threads, frames);
    return {
      threads,
      inferenceMsP50: pct(inf, 50), inferenceMsP95: pct(inf, 95),
      detectMsP50: pct(det.times, 50), detectMsP95: pct(det.times, 95),
      // Item 4 of issue 14: the agent's own work around an inference (copy, preprocessing, hops, decode, NMS).
      aroundInferencePercent: Math.round((100 * (pct(det.times, 50) - pct(inf, 50))) / pct(inf, 50)),
      objectsPerFrame: Math.round(det.objects * 10) / 10,
    };
  };
  const oneThread = await row(1);
  const twoThreads = await row(2);
  const figures = {
    model: `${defaults.config.detection.model} (${width}x${height})`,
    frames: `${clip.file} ${clip.width}x${clip.height}, the whole frame → ${width}x${height}`,
    runs: RUNS,
    // The box is shared: a high load average means the figures are pessimistic.
    loadAverage1m: Math.round(loadavg()[0] * 10) / 10,
    preprocessMsP50: pct(pre, 50),
    preprocessMsP95: pct(pre, 95),
    threads1: oneThread,
    threads2: twoThreads,
  };
  console.log(`detector bench (${RUNS} runs each, ${figures.frames}, load average ${figures.loadAverage1m})`);
  console.log(`  preprocess (I420 crop + bilinear → tensor): p50 ${figures.preprocessMsP50} ms, p95 ${figures.preprocessMsP95} ms`);
  for (const r of [oneThread, twoThreads]) {
    console.log(`  ${r.threads} thread(s): inference p50 ${r.inferenceMsP50} ms, p95 ${r.inferenceMsP95} ms; detect() p50 ${r.detectMsP50} ms, p95 ${r.detectMsP95} ms (${r.aroundInferencePercent} % around the inference); ${r.objectsPerFrame} objects/frame`);
  }
  const variants = await variantTable(root, VIDEOS_DIR, RUNS);
  printVariantTable(variants);
  const all = { ...figures, variants };
  console.log(JSON.stringify(all));
  return all;
}

if (require.main === module) {
  run().then(() => process.exit(0), (err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
