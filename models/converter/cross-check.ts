/**
 * Debugging aid: runs the original TFJS graph (tfjs CPU backend) and the converted ONNX model
 * (onnxruntime) on the same input and reports, per tensor, the largest absolute difference.
 * Any tensor of the graph can be tapped: the converted model keeps TF tensor names, and taps are
 * added as extra ONNX outputs. `npx tsx models/converter/cross-check.ts [tensor ...]` checks the
 * bundled CenterNet on darknet's person.jpg (all heads and the detections by default).
 */
import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import * as ort from 'onnxruntime-node';
import { onnx } from 'onnx-proto';
import { loadTfjsGraph } from './tfjs-graph.js';

export interface TensorDiff {
  name: string;
  maxAbsDiff: number;
  maxAbsRef: number;
}

export async function crossCheck(modelJsonPath: string, onnxBytes: Uint8Array, inputName: string, input: Float32Array, dims: number[], taps: string[]): Promise<TensorDiff[]> {
  const model = onnx.ModelProto.decode(onnxBytes);
  const graph = model.graph as onnx.GraphProto;
  const have = new Set(graph.output.map((o) => o.name));
  for (const name of taps) {
    if (!have.has(name)) graph.output.push(onnx.ValueInfoProto.create({ name, type: { tensorType: { elemType: onnx.TensorProto.DataType.FLOAT } } }));
  }
  const session = await ort.InferenceSession.create(onnx.ModelProto.encode(model).finish());
  const ours = await session.run({ [inputName]: new ort.Tensor('float32', input, dims) }, taps);
  await session.release();
  const tfGraph = await loadTfjsGraph(modelJsonPath);
  const x = tf.tensor(input, dims);
  const ref = tfGraph.model.execute({ [inputName]: x }, taps);
  const refs = Array.isArray(ref) ? ref : [ref];
  const diffs = taps.map((name, i) => {
    const a = ours[name].data as Float32Array;
    const b = refs[i].dataSync() as Float32Array;
    if (a.length !== b.length) throw new Error(`${name}: ${a.length} values in ONNX, ${b.length} in tfjs`);
    let maxAbsDiff = 0;
    let maxAbsRef = 0;
    for (let k = 0; k < a.length; k++) {
      maxAbsDiff = Math.max(maxAbsDiff, Math.abs(a[k] - b[k]));
      maxAbsRef = Math.max(maxAbsRef, Math.abs(b[k]));
    }
    return { name, maxAbsDiff, maxAbsRef };
  });
  tf.dispose([x, ...refs]);
  tfGraph.model.dispose();
  return diffs;
}

async function main(): Promise<void> {
  const { centernetSourcePath, repoRoot } = await import('../../scripts/convert-model.js');
  const jpeg = (await import('jpeg-js')).default;
  const { join } = await import('node:path');
  const img = jpeg.decode(readFileSync('/usr/share/darknet/data/person.jpg'), { useTArray: true });
  // Nearest resize is enough to compare the two runtimes on a real image.
  const input = new Float32Array(512 * 512 * 3);
  for (let y = 0; y < 512; y++) for (let x = 0; x < 512; x++) for (let c = 0; c < 3; c++) {
    input[(y * 512 + x) * 3 + c] = img.data[(Math.floor((y * img.height) / 512) * img.width + Math.floor((x * img.width) / 512)) * 4 + c];
  }
  const taps = process.argv.length > 2 ? process.argv.slice(2) : ['tower_0/keypoints', 'tower_0/wh', 'tower_0/detections'];
  const bytes = readFileSync(join(repoRoot(), 'models/centernet.onnx'));
  for (const d of await crossCheck(centernetSourcePath(), bytes, 'tower_0/images', input, [1, 512, 512, 3], taps)) {
    console.log(`${d.name}: max |onnx - tfjs| ${d.maxAbsDiff.toExponential(2)} (max |tfjs| ${d.maxAbsRef.toFixed(3)})`);
  }
}

if (require.main === module) {
  main().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
