import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { convertCenternet, convertCenternetHeads } from '../../../scripts/convert-model.js';
import { REPO_ROOT } from '../../support/tmp.js';

export const MODEL_PATH = join(REPO_ROOT, 'models/centernet.onnx');
export const MANIFEST_PATH = join(REPO_ROOT, 'models/centernet.manifest.json');

export const variantPath = (name: string): string => join(REPO_ROOT, `models/${name}.onnx`);
export const variantManifestPath = (name: string): string => join(REPO_ROOT, `models/${name}.manifest.json`);

/** The set-up makes the model; a test run on a tree where it has not run yet converts it once. */
export async function ensureModel(): Promise<void> {
  if (existsSync(MODEL_PATH)) return;
  const { bytes } = await convertCenternet(REPO_ROOT);
  writeFileSync(MODEL_PATH, bytes);
}

/** Likewise for a head-cut fp32 variant (models/centernet-<size>.onnx; its manifest is committed). */
export async function ensureHeadsModel(size: number): Promise<string> {
  const path = variantPath(`centernet-${size}`);
  if (!existsSync(path)) writeFileSync(path, (await convertCenternetHeads(size, REPO_ROOT)).bytes);
  return path;
}

/** The frame-shaped model's manifest (I420 input, cell max, COCO's 80 classes). */
export const FRAME_SHAPED_MANIFEST_PATH = variantManifestPath('centernet-512x288');
/** The default model's manifest: the frame-shaped model with the road users' classes only. */
export const DEFAULT_MANIFEST_PATH = variantManifestPath('centernet-512x288-road');
