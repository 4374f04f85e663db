/**
 * The CenterNet variants the set-up emits besides the default models/centernet.onnx: the graph cut
 * at its heads (decoded by the agent's `centernet-heads` decoder), at several input sizes, fp32 and
 * int8. Their manifests derive from the default's, so labels and normalisation have one source.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DetectionSection } from '../agent/config/schema/detection.js';
import type { ModelManifest } from '../agent/detection/detector/manifest.js';
import { I420_SIZE_INPUT, I420_UV_INPUT, I420_Y_INPUT } from '../models/converter/i420-input.js';

export const CENTERNET_INPUT = 'tower_0/images';
/** Sigmoid class heatmaps [1,H,W,80] and box distances l,t,r,b in input pixels [1,H,W,4]. */
export const CENTERNET_HEADS = ['tower_0/keypoints', 'tower_0/wh'];
/** The two heads joined on the channel axis: what the `centernet-heads` decoder reads. */
export const CENTERNET_HEADS_OUTPUT = 'tower_0/heads';
/** Multiples of the backbone's stride 32 that the upsampling sizes scale to. */
export const CENTERNET_SIZES = [320, 384, 416, 512] as const;
/** The backbone's output stride: a window's model size is a multiple of it. */
export const CENTERNET_STRIDE = 32;
/**
 * The frame-shaped models: the default 640x360 detect frame at the 512 model's scale (0.8), 16:9 with
 * no letterbox rows (a square input spends 44 % of its pixels on black), taking the frame's I420 bytes
 * (its preprocessing in the graph); their int8 twins take the square 512's activation ranges.
 */
export const CENTERNET_FRAME_SHAPE = { width: 512, height: 288 } as const;
/**
 * A smaller frame-shaped road model, selectable: the frame at 0.7. 22 % fewer MACs than 512x288 and
 * 17–21 % less time per inference; the accuracy gate passes (98.7 % of 309, 0 extras) but the hand
 * count of the small vehicles of bgslib drops out of its 10 % bar (36 of 43). docs/detector.md, "A
 * smaller frame, 448×256".
 */
export const CENTERNET_SMALL_SHAPE = { width: 448, height: 256 } as const;

/**
 * Activations the int8 variants keep in float: the stem and the first two inverted-residual blocks (up
 * to block 1's projection), whose convolutions read them — about 12 % of the MACs, at 1/2 and 1/4 of
 * the input. Their depthwise filters differ 32-80x in scale per channel and multiply the rounding of
 * the small channels they read (docs/detector.md, "Int8"). Held to the accuracy gate at 512: all int8
 * 90.0 %; the stem and block 0 float 98.7 %; these 99.7 %.
 */
export const CENTERNET_FLOAT_ACTIVATIONS = /^tower_0\/MobilenetV3\/(Conv\/|expanded_conv\/|expanded_conv_1\/(expand|depthwise)\/)/;

export type Precision = 'fp32' | 'int8';

/**
 * The labels the agent tracks unless configured otherwise (detection.labels' default): the road users.
 * The `-road` variant keeps only these classes of COCO's 80 (models/converter/class-subset.ts).
 */
export const ROAD_LABELS: readonly string[] = DetectionSection.properties.labels.default;

/** Which classes a variant carries: all 80 of COCO, or the road users only. */
export type ClassSet = 'coco' | 'road';

/** The COCO class indices of the road labels, in COCO order (the order the `-road` heatmaps carry them). */
export function roadClassIndices(cocoLabels: readonly string[]): number[] {
  const indices = ROAD_LABELS.map((l) => cocoLabels.indexOf(l));
  const missing = ROAD_LABELS.filter((_, i) => indices[i] < 0);
  if (missing.length > 0) throw new Error(`the base model lacks the labels ${missing.join(', ')}`);
  return indices.sort((a, b) => a - b);
}

/** models/centernet.manifest.json: the converted model's manifest, which every variant's derives from (labels, normalisation). */
export function baseManifest(root: string): ModelManifest {
  return JSON.parse(readFileSync(join(root, 'models/centernet.manifest.json'), 'utf8')) as ModelManifest;
}

/** models/centernet-<size>.calibration.json, written by scripts/calibrate-model.ts and committed. */
export interface CalibrationFile {
  model: string;
  /** The fp32 variant the ranges were measured on: a different one makes them stale. */
  fp32Sha256: string;
  method: string;
  frames: number;
  framesWithObjects: number;
  clips: string[];
  /** Activation tensor (of the optimised fp32 graph) → [min, max]. */
  ranges: Record<string, [number, number]>;
}

/** `centernet-<size>` for a square input, `centernet-<width>x<height>` otherwise; `-road` for the road classes only; `-int8` when quantized. */
export function variantName(size: number | { width: number; height: number }, precision: Precision, classes: ClassSet = 'coco'): string {
  const shape = typeof size === 'number' ? `${size}` : size.width === size.height ? `${size.width}` : `${size.width}x${size.height}`;
  return `centernet-${shape}${classes === 'road' ? '-road' : ''}${precision === 'int8' ? '-int8' : ''}`;
}

export function calibrationPath(root: string, size: number): string {
  return join(root, `models/centernet-${size}.calibration.json`);
}

/**
 * `format` i420 (the default model): the model takes the region's I420 planes and resizes/converts
 * them in its graph (models/converter/i420-input.ts; the rest of `input` then describes the graph's own
 * float input), and its heads carry the cell-max channel (models/converter/cell-max.ts).
 */
export function variantManifest(root: string, size: number | { width: number; height: number }, precision: Precision, macs: number, format: 'float' | 'i420' = 'float', classes: ClassSet = 'coco'): ModelManifest {
  const base = baseManifest(root);
  const labels = classes === 'road' ? roadClassIndices(base.labels).map((i) => base.labels[i]) : base.labels;
  const { width, height } = typeof size === 'number' ? { width: size, height: size } : size;
  const how = precision === 'int8'
    ? `int8 (QDQ, per-channel weights, activations calibrated on the shared street clips: centernet-${width}.calibration.json; the stem and first two blocks in float)`
    : 'fp32';
  const feed = format === 'i420' ? ', takes any region\'s I420 planes, resized and converted to RGB in the graph' : '';
  return {
    ...base,
    file: `${variantName(size, precision, classes)}.onnx`,
    description: `MobileNetV3-CenterNet, ${classes === 'road' ? `the ${labels.length} road-user classes of COCO-80, each scored as among all 80` : 'COCO-80'}, ${width}x${height}, ${how}${feed}, heads decoded by the agent; ${(macs / 1e9).toFixed(2)} GMACs; converted at set-up from the TFJS graph model in @vladmandic/human by scripts/convert-model.ts`,
    labels,
    input: format === 'i420'
      ? { ...base.input, name: I420_Y_INPUT, format, uvName: I420_UV_INPUT, sizeName: I420_SIZE_INPUT, stride: CENTERNET_STRIDE, width, height }
      : { ...base.input, width, height },
    output: { ...base.output, name: CENTERNET_HEADS_OUTPUT, decoder: 'centernet-heads', ...(format === 'i420' ? { cellMax: true } : {}) },
  };
}
