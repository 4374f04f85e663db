/**
 * Set-up step: converts the bundled TFJS CenterNet (from @vladmandic/human) into
 * models/centernet.onnx. Deterministic: same input files, same bytes; the file is only rewritten
 * when its content would change.
 */
import { existsSync, readFileSync, writeFileSync, renameSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { dirname, join, resolve } from 'node:path';
import { convertTfjsGraphModel } from '../models/converter/convert.js';

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

export async function convertCenternet(root = repoRoot()): Promise<{ bytes: Uint8Array; sha256: string }> {
  const result = await convertTfjsGraphModel({ modelJsonPath: centernetSourcePath(root), outputs: [CENTERNET_OUTPUT], graphName: 'centernet' });
  return { bytes: result.onnx, sha256: createHash('sha256').update(result.onnx).digest('hex') };
}

async function main(): Promise<void> {
  const root = repoRoot();
  const target = join(root, 'models/centernet.onnx');
  if (!existsSync(centernetSourcePath(root))) {
    // A production install without dev dependencies keeps the model it was built with.
    if (existsSync(target)) {
      console.log(`convert-model: ${centernetSourcePath(root)} not installed; keeping ${target}`);
      return;
    }
    throw new Error(`${centernetSourcePath(root)} is missing: install dev dependencies (npm ci) so the model can be converted`);
  }
  const started = Date.now();
  const { bytes, sha256 } = await convertCenternet(root);
  const current = existsSync(target) ? createHash('sha256').update(readFileSync(target)).digest('hex') : undefined;
  if (current === sha256) {
    console.log(`convert-model: ${target} up to date (sha256 ${sha256})`);
    return;
  }
  writeFileSync(`${target}.tmp`, bytes);
  renameSync(`${target}.tmp`, target);
  console.log(`convert-model: wrote ${target} (${bytes.length} bytes, sha256 ${sha256}) in ${Date.now() - started} ms`);
}

if (require.main === module) {
  main().catch((err: unknown) => {
    console.error('convert-model failed:', err instanceof Error ? err.stack : err);
    process.exit(1);
  });
}
