/**
 * Calibrates the int8 CenterNet variants: runs each fp32 head-cut model (optimised as for
 * quantization) over frames of the shared street clips and writes the activation ranges to
 * models/centernet-<size>.calibration.json, which is committed: the set-up then builds the int8
 * models from fp32 + these ranges, fast and the same bytes every time, without the clips.
 * `npx tsx scripts/calibrate-model.ts [size ...]` (clips from ../shared/videos or $EDGE_CALIBRATION_CLIPS).
 * Frames that show nothing are refused with the reason, never turned into ranges.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { onnx } from 'onnx-proto';
import { AgentError } from '../agent/core/errors.js';
import { decodeCenterNetHeads } from '../agent/detection/detector/centernet-heads.js';
import { CALIBRATION_REFUSED, collectRanges } from '../models/converter/calibrate.js';
import { optimiseForQuantization, quantizationPoints } from '../models/converter/quantize.js';
import { decodeClipRgb, pixelSpread, rgbToTensor, videoClips, type ClipFrame } from './calibration-frames.js';
import { calibrationPath, CENTERNET_HEADS_OUTPUT, CENTERNET_INPUT, CENTERNET_SIZES, type CalibrationFile } from './centernet-variants.js';
import { convertCenternetHeads, repoRoot, sha256 } from './convert-model.js';

/** The labels the agent tracks by default: frames must show some of these for the ranges to matter. */
export const CALIBRATION_LABELS = ['person', 'bicycle', 'car', 'motorcycle', 'bus', 'truck'];
const OBJECT_SCORE = 0.5;
/**
 * Activation ranges at this percentile per frame rather than min/max: MobileNet's depthwise outputs
 * carry rare outliers (0..98 where most values are under a few units) that would make the uint8 step
 * too coarse for the common values. Not for the heads' outputs: there the rare peaks are the signal.
 */
export const CALIBRATION_PERCENTILE = Number(process.env.EDGE_CALIBRATION_PERCENTILE ?? 99.99);
/** Every 24th frame: about 70 frames over the four shared clips (750, 377, 265 and 242 frames long). */
export const CALIBRATION_FRAME_STEP = 24;
/** Below this pixel standard deviation a frame is uniform: black, grey, lost signal. */
const BLANK_SPREAD = 2;

export async function fp32Variant(root: string, size: number): Promise<Uint8Array> {
  const path = join(root, `models/centernet-${size}.onnx`);
  return existsSync(path) ? readFileSync(path) : (await convertCenternetHeads(size, root)).bytes;
}

export async function calibrateCenternet(root: string, size: number, frames: ClipFrame[]): Promise<CalibrationFile> {
  const fp32 = await fp32Variant(root, size);
  const picture = frames.filter((f) => pixelSpread(f.rgb) >= BLANK_SPREAD);
  if (picture.length === 0) {
    throw new AgentError(CALIBRATION_REFUSED, `calibration refused: all ${frames.length} frames are blank (uniform picture)`, 'calibrate on video of real scenes, not a lost-signal or test-pattern feed');
  }
  const labels = (JSON.parse(readFileSync(join(root, 'models/centernet.manifest.json'), 'utf8')) as { labels: string[] }).labels;
  const wanted = new Set(CALIBRATION_LABELS.map((l) => labels.indexOf(l)));
  const optimised = await optimiseForQuantization(fp32);
  const points = quantizationPoints(onnx.ModelProto.decode(optimised));
  const tensors = points.map((p) => p.tensor);
  // A head's output keeps its extremes: its rare high values are the detections themselves.
  const heads = new Set(points.filter((p) => !p.feedsConv).map((p) => p.tensor));
  let framesWithObjects = 0;
  const { ranges } = await collectRanges(
    { model: optimised, inputName: CENTERNET_INPUT, inputDims: [1, size, size, 3], tensors, watch: [CENTERNET_HEADS_OUTPUT], percentile: (t) => (heads.has(t) ? 100 : CALIBRATION_PERCENTILE) },
    picture.map((f) => rgbToTensor(f.rgb)),
    (out) => {
      const heads = out[CENTERNET_HEADS_OUTPUT];
      const hits = decodeCenterNetHeads(heads.data as Float32Array, heads.dims, { minScore: OBJECT_SCORE, classes: labels.length, inputWidth: size, inputHeight: size, boxUnits: 'pixels' });
      if (hits.some((h) => wanted.has(h.classIndex))) framesWithObjects++;
    },
  );
  // Ranges from empty scenes under-cover the activations objects cause: refuse, do not guess.
  const needed = Math.max(1, Math.ceil(picture.length / 10));
  if (framesWithObjects < needed) {
    throw new AgentError(CALIBRATION_REFUSED,
      `calibration refused: only ${framesWithObjects} of ${picture.length} frames show a ${CALIBRATION_LABELS.join('/')} the fp32 model scores >= ${OBJECT_SCORE} (need ${needed})`,
      'calibrate on clips where the cameras see traffic and people');
  }
  return {
    model: `centernet-${size}`,
    fp32Sha256: sha256(fp32),
    method: `widest per-frame ${CALIBRATION_PERCENTILE === 100 ? 'min/max' : `${CALIBRATION_PERCENTILE}th percentile range`} over all frames of each Conv input and output activation (heads' outputs: min/max; onnxruntime basic-level optimised graph)`,
    frames: picture.length,
    framesWithObjects,
    clips: [...new Set(frames.map((f) => basename(f.clip)))],
    ranges,
  };
}

/** Pretty JSON with one line per tensor range: small, and diffs read per tensor. */
export function formatCalibration(file: CalibrationFile): string {
  const { ranges, ...head } = file;
  const lines = Object.entries(ranges).map(([t, r]) => `    ${JSON.stringify(t)}: ${JSON.stringify(r)}`);
  const top = JSON.stringify(head, null, 2).replace(/\n}$/, '');
  return `${top},\n  "ranges": {\n${lines.join(',\n')}\n  }\n}\n`;
}

async function main(): Promise<void> {
  const root = repoRoot();
  const sizes = process.argv.length > 2 ? process.argv.slice(2).map(Number) : [...CENTERNET_SIZES];
  const dir = process.env.EDGE_CALIBRATION_CLIPS ?? join(root, '../shared/videos');
  for (const size of sizes) {
    const started = Date.now();
    const frames = (await Promise.all(videoClips(dir).map((clip) => decodeClipRgb(clip, size, CALIBRATION_FRAME_STEP)))).flat();
    const file = await calibrateCenternet(root, size, frames);
    writeFileSync(calibrationPath(root, size), formatCalibration(file));
    console.log(`calibrate-model: ${calibrationPath(root, size)}: ${Object.keys(file.ranges).length} tensors over ${file.frames} frames (${file.framesWithObjects} with objects) in ${Date.now() - started} ms`);
  }
}

if (require.main === module) {
  main().catch((err: unknown) => {
    console.error('calibrate-model failed:', err instanceof AgentError ? `${err.code}: ${err.message} (${err.remedy})` : err instanceof Error ? err.stack : err);
    process.exit(1);
  });
}
