/**
 * The CenterNet variants the set-up emits besides the default models/centernet.onnx: the graph cut
 * at its heads (decoded by the agent's `centernet-heads` decoder), at several input sizes, fp32 and
 * int8. Their manifests derive from the default's, so labels and normalisation have one source.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ModelManifest } from '../agent/detection/detector/manifest.js';

export const CENTERNET_INPUT = 'tower_0/images';
/** Sigmoid class heatmaps [1,H,W,80] and box distances l,t,r,b in input pixels [1,H,W,4]. */
export const CENTERNET_HEADS = ['tower_0/keypoints', 'tower_0/wh'];
/** The two heads joined on the channel axis: what the `centernet-heads` decoder reads. */
export const CENTERNET_HEADS_OUTPUT = 'tower_0/heads';
/** Multiples of the backbone's stride 32 that the upsampling sizes scale to. */
export const CENTERNET_SIZES = [320, 384, 416, 512] as const;

export type Precision = 'fp32' | 'int8';

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

export function variantName(size: number, precision: Precision): string {
  return precision === 'fp32' ? `centernet-${size}` : `centernet-${size}-int8`;
}

export function calibrationPath(root: string, size: number): string {
  return join(root, `models/centernet-${size}.calibration.json`);
}

export function variantManifest(root: string, size: number, precision: Precision, macs: number): ModelManifest {
  const base = JSON.parse(readFileSync(join(root, 'models/centernet.manifest.json'), 'utf8')) as ModelManifest;
  const how = precision === 'int8'
    ? `int8 (QDQ, per-channel weights, activations calibrated on the shared street clips: centernet-${size}.calibration.json)`
    : 'fp32';
  return {
    ...base,
    file: `${variantName(size, precision)}.onnx`,
    description: `MobileNetV3-CenterNet, COCO-80, ${size}x${size}, ${how}, heads decoded by the agent; ${(macs / 1e9).toFixed(2)} GMACs; converted at set-up from the TFJS graph model in @vladmandic/human by scripts/convert-model.ts`,
    input: { ...base.input, width: size, height: size },
    output: { ...base.output, name: CENTERNET_HEADS_OUTPUT, decoder: 'centernet-heads' },
  };
}
