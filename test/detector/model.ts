import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { convertCenternet } from '../../scripts/convert-model.js';
import { REPO_ROOT } from '../support/tmp.js';

export const MODEL_PATH = join(REPO_ROOT, 'models/centernet.onnx');
export const MANIFEST_PATH = join(REPO_ROOT, 'models/centernet.manifest.json');

/** The set-up makes the model; a test run on a tree where it has not run yet converts it once. */
export async function ensureModel(): Promise<void> {
  if (existsSync(MODEL_PATH)) return;
  const { bytes } = await convertCenternet(REPO_ROOT);
  writeFileSync(MODEL_PATH, bytes);
}
