/**
 * Set-up step: converts the bundled TFJS CenterNet (from @vladmandic/human) into
 * models/centernet.onnx (512, with the graph's own decode: the accuracy reference), the head-cut variants
 * models/centernet-<size>.onnx, the frame-shaped models/centernet-512x288.onnx that takes the frame's
 * I420 bytes and the default, the same with the road users' classes only,
 * models/centernet-512x288-road.onnx, and that at 448x256, models/centernet-448x256-road.onnx
 * (scripts/centernet-variants.ts), each with its manifest.
 * Deterministic: same input files, same bytes; a file is only rewritten when its content would change.
 */
import { existsSync, readFileSync, writeFileSync, renameSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { dirname, join, resolve } from 'node:path';
import { AgentError } from '../agent/core/errors.js';
import { withAlignedChannels } from '../models/converter/align-channels.js';
import { convertTfjsGraphModel } from '../models/converter/convert.js';
import { withCellMax } from '../models/converter/cell-max.js';
import { withClassSubset } from '../models/converter/class-subset.js';
import { withI420Input } from '../models/converter/i420-input.js';
import { formatMacs } from '../models/converter/macs.js';
import { convNodeName } from '../models/converter/ops.js';
import { optimiseForQuantization, quantizeQdq } from '../models/converter/quantize.js';
import {
  baseManifest, calibrationPath, CENTERNET_SMALL_SHAPE, CENTERNET_FLOAT_ACTIVATIONS, CENTERNET_FRAME_SHAPE, CENTERNET_HEADS, CENTERNET_HEADS_OUTPUT, CENTERNET_INPUT, CENTERNET_SIZES, roadClassIndices, variantManifest, variantName,
  type CalibrationFile, type ClassSet,
} from './centernet-variants.js';

export const CENTERNET_OUTPUT = 'tower_0/detections';

/** The repository root: the nearest folder above this file holding package.json. */
export function repoRoot(from = __dirname): string {
  let dir = resolve(from);
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error(`no package.json above ${from}`);
    dir = up;
  }
  return dir;
}

export function centernetSourcePath(root = repoRoot()): string {
  return join(root, 'node_modules/@vladmandic/human/models/centernet.json');
}

export interface ConvertedModel { bytes: Uint8Array; sha256: string; macs: number }
/** A converted graph and its MACs per ONNX Conv node (what a later step that widens a convolution adds to). */
export interface ConvertedGraph extends ConvertedModel { convMacs: (onnxConv: string) => number }

/** The hash set-up and calibration files name a model by (MODEL_CALIBRATION_STALE compares them). */
export const sha256 = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

export async function convertCenternet(root = repoRoot()): Promise<ConvertedModel> {
  const result = await convertTfjsGraphModel({ modelJsonPath: centernetSourcePath(root), outputs: [CENTERNET_OUTPUT], graphName: 'centernet' });
  return { bytes: result.onnx, sha256: sha256(result.onnx), macs: result.macs };
}

/**
 * The graph cut at its heads, at `size`x`size` (or `size`x`height`), the heads joined into one output;
 * `anyInputSize`: runnable at other input sizes too (what the frame-shaped models' windows need).
 */
export async function convertCenternetHeads(size: number, root = repoRoot(), height = size, anyInputSize = false): Promise<ConvertedGraph> {
  const result = await convertTfjsGraphModel({
    modelJsonPath: centernetSourcePath(root),
    outputs: CENTERNET_HEADS,
    joinOutputs: { name: CENTERNET_HEADS_OUTPUT, axis: 3 },
    inputShapes: { [CENTERNET_INPUT]: [1, height, size, 3] },
    anyInputSize,
    graphName: variantName({ width: size, height }, 'fp32'),
  });
  const byConv = new Map(Object.entries(result.macsByNode).map(([tf, macs]) => [convNodeName(tf), macs]));
  return { bytes: result.onnx, sha256: sha256(result.onnx), macs: result.macs, convMacs: (conv) => byConv.get(conv) ?? 0 };
}

/**
 * The int8 variant from the fp32 one and the committed activation ranges (scripts/calibrate-model.ts);
 * undefined when that size has no ranges file. Ranges measured on another fp32 model are refused.
 */
export async function buildCenternetInt8(size: number, fp32: ConvertedModel, root = repoRoot()): Promise<ConvertedModel | undefined> {
  return quantizeWithRanges(fp32, `centernet-${size}`, size, fp32, root);
}

/**
 * The frame-shaped models in int8 (`classes`: COCO's 80 or the road users'): the graph (I420 input,
 * cell max) quantized with the square 512's ranges — the same weights at the same scale (0.8 of the
 * detect frame), and the same tensor names; its preprocessing and the stem stay float. `square512` is
 * the fp32 model those ranges were measured on.
 */
export async function buildFrameShapedInt8(frameShaped: ConvertedModel, square512: ConvertedModel, root = repoRoot(), classes: ClassSet = 'coco'): Promise<ConvertedModel | undefined> {
  return quantizeWithRanges(frameShaped, variantName(CENTERNET_FRAME_SHAPE, 'fp32', classes), CENTERNET_FRAME_SHAPE.width, square512, root);
}

async function quantizeWithRanges(model: ConvertedModel, name: string, rangesSize: number, measuredOn: ConvertedModel, root: string): Promise<ConvertedModel | undefined> {
  const path = calibrationPath(root, rangesSize);
  if (!existsSync(path)) return undefined;
  const calibration = JSON.parse(readFileSync(path, 'utf8')) as CalibrationFile;
  const remedy = `re-run npx tsx scripts/calibrate-model.ts ${rangesSize} and commit ${path}`;
  if (calibration.fp32Sha256 !== measuredOn.sha256) {
    throw new AgentError('MODEL_CALIBRATION_STALE', `${path} was measured on another fp32 model (sha256 ${calibration.fp32Sha256}, now ${measuredOn.sha256})`, remedy);
  }
  const doc = `int8 QDQ of ${name} by models/converter/quantize.ts, the stem and first two blocks in float; activation ranges (centernet-${rangesSize}): ${calibration.method}, ${calibration.frames} frames of ${calibration.clips.join(', ')}.`;
  let bytes: Uint8Array;
  try {
    bytes = quantizeQdq(await optimiseForQuantization(model.bytes), calibration.ranges, doc, (tensor) => CENTERNET_FLOAT_ACTIVATIONS.test(tensor));
  } catch (err) {
    throw new AgentError('MODEL_CALIBRATION_STALE', `${path} does not fit ${name}: ${(err as Error).message}`, remedy, { cause: err });
  }
  return { bytes, sha256: sha256(bytes), macs: model.macs };
}

/** Writes `bytes` to `target` unless it already holds them; says which. */
export function writeIfChanged(target: string, bytes: Uint8Array | string): 'wrote' | 'up to date' {
  const data = typeof bytes === 'string' ? Buffer.from(bytes) : bytes;
  if (existsSync(target) && sha256(readFileSync(target)) === sha256(data)) return 'up to date';
  writeFileSync(`${target}.tmp`, data);
  renameSync(`${target}.tmp`, target);
  return 'wrote';
}

function writeVariant(root: string, size: number | { width: number; height: number }, precision: 'fp32' | 'int8', m: ConvertedModel, format: 'float' | 'i420' = 'float', classes: ClassSet = 'coco'): void {
  const name = variantName(size, precision, classes);
  const { width, height } = typeof size === 'number' ? { width: size, height: size } : size;
  const state = writeIfChanged(join(root, `models/${name}.onnx`), m.bytes);
  writeIfChanged(join(root, `models/${name}.manifest.json`), `${JSON.stringify(variantManifest(root, size, precision, m.macs, format, classes), null, 2)}\n`);
  console.log(`convert-model: models/${name}.onnx ${state} (${width}x${height} ${precision}, ${format} input, ${classes} classes, ${formatMacs(m.macs)}MACs, ${m.bytes.length} bytes, sha256 ${m.sha256})`);
}

/**
 * Frame-shaped, taking the frame's I420 planes (models/converter/i420-input.ts), its heads with the
 * cell-max channel (models/converter/cell-max.ts): preprocessing and the decode's scan done by
 * onnxruntime; its narrow depthwise stages padded to whole channel blocks (models/converter/align-channels.ts).
 * `road`: the road users' classes only (models/converter/class-subset.ts); `shape`: 512x288 unless told.
 */
export async function convertCenternetFrameShaped(root = repoRoot(), classes: ClassSet = 'coco', shape: { width: number; height: number } = CENTERNET_FRAME_SHAPE): Promise<ConvertedModel> {
  const { width, height } = shape;
  const fp32 = await convertCenternetHeads(width, root, height, true);
  const heads = { heads: CENTERNET_HEADS_OUTPUT, heatmaps: CENTERNET_HEADS[0] };
  const subset = classes === 'road' ? withClassSubset(fp32.bytes, { ...heads, keep: roadClassIndices(baseManifest(root).labels) }) : { bytes: fp32.bytes, macsRemoved: 0 };
  const aligned = withAlignedChannels(subset.bytes);
  // A padded stage's three convolutions each grow by to/from (the class subset touches none of them).
  const macsAdded = aligned.padded.reduce((sum, p) => sum + (p.to / p.from - 1) * p.convs.reduce((s, c) => s + fp32.convMacs(c), 0), 0);
  const withInput = withI420Input(aligned.bytes, { inputName: CENTERNET_INPUT });
  const bytes = withCellMax(withInput, heads);
  return { bytes, sha256: sha256(bytes), macs: fp32.macs - subset.macsRemoved + Math.round(macsAdded) };
}

async function main(): Promise<void> {
  const root = repoRoot();
  const target = join(root, 'models/centernet.onnx');
  if (!existsSync(centernetSourcePath(root))) {
    // A production install without dev dependencies keeps the models it was built with.
    if (existsSync(target)) {
      console.log(`convert-model: ${centernetSourcePath(root)} not installed; keeping the models in ${dirname(target)}`);
      return;
    }
    throw new Error(`${centernetSourcePath(root)} is missing: install dev dependencies (npm ci) so the model can be converted`);
  }
  const started = Date.now();
  const base = await convertCenternet(root);
  console.log(`convert-model: ${target} ${writeIfChanged(target, base.bytes)} (${base.bytes.length} bytes, sha256 ${base.sha256}, ${formatMacs(base.macs)}MACs)`);
  // The frame-shaped int8 models take the square 512's ranges, measured on this fp32 model.
  let square512: ConvertedModel | undefined;
  for (const size of CENTERNET_SIZES) {
    const fp32 = await convertCenternetHeads(size, root);
    if (size === CENTERNET_FRAME_SHAPE.width) square512 = fp32;
    writeVariant(root, size, 'fp32', fp32);
    const int8 = await buildCenternetInt8(size, fp32, root);
    if (int8) writeVariant(root, size, 'int8', int8);
    else console.log(`convert-model: no ${calibrationPath(root, size)}: no int8 variant at ${size}`);
  }
  for (const classes of ['coco', 'road'] as const) {
    const frameShaped = await convertCenternetFrameShaped(root, classes);
    writeVariant(root, CENTERNET_FRAME_SHAPE, 'fp32', frameShaped, 'i420', classes);
    // The road model's class convolution is a slice of the square 512's: its ranges still bound it.
    const int8 = square512 && (await buildFrameShapedInt8(frameShaped, square512, root, classes));
    if (int8) writeVariant(root, CENTERNET_FRAME_SHAPE, 'int8', int8, 'i420', classes);
  }
  writeVariant(root, CENTERNET_SMALL_SHAPE, 'fp32', await convertCenternetFrameShaped(root, 'road', CENTERNET_SMALL_SHAPE), 'i420', 'road');
  console.log(`convert-model: done in ${Date.now() - started} ms`);
}

if (require.main === module) {
  main().catch((err: unknown) => {
    console.error('convert-model failed:', err instanceof Error ? err.stack : err);
    process.exit(1);
  });
}
