/**
 * Set-up step: converts the bundled TFJS CenterNet (from @vladmandic/human) into
 * models/centernet.onnx (512, with the graph's own decode: the default) and the head-cut variants
 * models/centernet-<size>.onnx (scripts/centernet-variants.ts), each with its manifest.
 * Deterministic: same input files, same bytes; a file is only rewritten when its content would change.
 */
import { existsSync, readFileSync, writeFileSync, renameSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { dirname, join, resolve } from 'node:path';
import { convertTfjsGraphModel } from '../models/converter/convert.js';
import { formatMacs } from '../models/converter/macs.js';
import {
  CENTERNET_HEADS, CENTERNET_HEADS_OUTPUT, CENTERNET_INPUT, CENTERNET_SIZES, variantManifest, variantName,
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

const sha256 = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

export async function convertCenternet(root = repoRoot()): Promise<ConvertedModel> {
  const result = await convertTfjsGraphModel({ modelJsonPath: centernetSourcePath(root), outputs: [CENTERNET_OUTPUT], graphName: 'centernet' });
  return { bytes: result.onnx, sha256: sha256(result.onnx), macs: result.macs };
}

/** The graph cut at its heads, at `size`x`size`, the heads joined into one output. */
export async function convertCenternetHeads(size: number, root = repoRoot()): Promise<ConvertedModel> {
  const result = await convertTfjsGraphModel({
    modelJsonPath: centernetSourcePath(root),
    outputs: CENTERNET_HEADS,
    joinOutputs: { name: CENTERNET_HEADS_OUTPUT, axis: 3 },
    inputShapes: { [CENTERNET_INPUT]: [1, size, size, 3] },
    graphName: `centernet-${size}`,
  });
  return { bytes: result.onnx, sha256: sha256(result.onnx), macs: result.macs };
}

/** Writes `bytes` to `target` unless it already holds them; says which. */
export function writeIfChanged(target: string, bytes: Uint8Array | string): 'wrote' | 'up to date' {
  const data = typeof bytes === 'string' ? Buffer.from(bytes) : bytes;
  if (existsSync(target) && sha256(readFileSync(target)) === sha256(data)) return 'up to date';
  writeFileSync(`${target}.tmp`, data);
  renameSync(`${target}.tmp`, target);
  return 'wrote';
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
  for (const size of CENTERNET_SIZES) {
    const v = await convertCenternetHeads(size, root);
    const name = variantName(size, 'fp32');
    const state = writeIfChanged(join(root, `models/${name}.onnx`), v.bytes);
    writeIfChanged(join(root, `models/${name}.manifest.json`), `${JSON.stringify(variantManifest(root, size, 'fp32', v.macs), null, 2)}\n`);
    console.log(`convert-model: models/${name}.onnx ${state} (${size}x${size} fp32, ${formatMacs(v.macs)}MACs, sha256 ${v.sha256})`);
  }
  console.log(`convert-model: done in ${Date.now() - started} ms`);
}

if (require.main === module) {
  main().catch((err: unknown) => {
    console.error('convert-model failed:', err instanceof Error ? err.stack : err);
    process.exit(1);
  });
}
