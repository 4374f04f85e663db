/**
 * Debugging aid for the int8 variants (docs/detector.md, "Int8"): where their error comes from.
 * Runs `centernet-<size>-int8.onnx` twice on one darknet photo — as built, and with every activation
 * QuantizeLinear → DequantizeLinear pair bypassed (int8 weights, float activations) — both with
 * onnxruntime's optimisations off so the pairs stay where the quantizer put them. Per quantized
 * tensor, in graph order, it prints:
 *   chain %  relative RMS error of the int8 model against the bypassed one (everything before it too),
 *   own %    what this tensor's uint8 step alone costs on the bypassed model's values,
 *   clip %   share of those values outside the calibrated range, and the range itself.
 * `npx tsx scripts/quantization-error.ts [size=320] [photo=person.jpg]`
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { onnx } from 'onnx-proto';
import { DARKNET_DATA, loadJpeg, resizeToNhwc } from '../test/detection/detector/images.js';
import { CENTERNET_INPUT } from './centernet-variants.js';
import { repoRoot } from './convert-model.js';

const DEQUANTIZED = '/dequantized';

/** Activation tensors the quantizer paired (a Q → DQ on the tensor itself, not a weight's DQ). */
function pairedActivations(graph: onnx.GraphProto): string[] {
  const quantized = new Set(graph.node.filter((n) => n.opType === 'QuantizeLinear').map((n) => n.output?.[0]));
  return graph.node
    .filter((n) => n.opType === 'DequantizeLinear' && quantized.has(n.input?.[0]) && (n.output?.[0] ?? '').endsWith(DEQUANTIZED))
    .map((n) => (n.output?.[0] ?? '').slice(0, -DEQUANTIZED.length));
}

/** The model with `taps` as extra outputs; `bypass`: each activation DQ reads the Q's float input instead. */
function session(bytes: Uint8Array, taps: string[], bypass: boolean): Promise<ort.InferenceSession> {
  const model = onnx.ModelProto.decode(bytes);
  const graph = model.graph as onnx.GraphProto;
  if (bypass) {
    const qInput = new Map(graph.node.filter((n) => n.opType === 'QuantizeLinear').map((n) => [n.output?.[0], n.input?.[0] ?? '']));
    for (const n of graph.node) {
      const source = qInput.get(n.input?.[0]);
      if (n.opType === 'DequantizeLinear' && source !== undefined) Object.assign(n, { opType: 'Identity', input: [source], attribute: [] });
    }
    graph.node = graph.node.filter((n) => n.opType !== 'QuantizeLinear');
  }
  for (const name of taps) graph.output.push(onnx.ValueInfoProto.create({ name, type: { tensorType: { elemType: onnx.TensorProto.DataType.FLOAT } } }));
  return ort.InferenceSession.create(onnx.ModelProto.encode(model).finish(), { graphOptimizationLevel: 'disabled' });
}

function scalarOf(graph: onnx.GraphProto, name: string): number {
  const t = graph.initializer.find((i) => i.name === name);
  const raw = t?.rawData;
  if (!t || !raw) throw new Error(`${name}: no initializer`);
  return t.dataType === onnx.TensorProto.DataType.UINT8 ? raw[0] : new DataView(raw.buffer, raw.byteOffset, 4).getFloat32(0, true);
}

const rms = (a: Float32Array, b: (i: number) => number): number => {
  let diff = 0;
  let ref = 0;
  for (let i = 0; i < a.length; i++) {
    diff += (a[i] - b(i)) ** 2;
    ref += a[i] ** 2;
  }
  return (100 * Math.sqrt(diff / Math.max(ref, 1e-12)));
};

async function main(): Promise<void> {
  const size = Number(process.argv[2] ?? 320);
  const photo = process.argv[3] ?? 'person.jpg';
  const bytes = readFileSync(path.join(repoRoot(), `models/centernet-${size}-int8.onnx`));
  const graph = onnx.ModelProto.decode(bytes).graph as onnx.GraphProto;
  const tensors = pairedActivations(graph);
  const taps = tensors.map((t) => t + DEQUANTIZED);
  const feeds = { [CENTERNET_INPUT]: new ort.Tensor('float32', resizeToNhwc(loadJpeg(path.join(DARKNET_DATA, photo)), size, size), [1, size, size, 3]) };
  const [int8, bypassed] = await Promise.all([session(bytes, taps, false), session(bytes, taps, true)]);
  const [q, f] = [await int8.run(feeds, taps), await bypassed.run(feeds, taps)];
  console.log(`centernet-${size}-int8 on ${photo}: ${tensors.length} quantized activations`);
  console.log(' chain %   own %  clip %  range  tensor');
  for (const t of tensors) {
    const ref = f[t + DEQUANTIZED].data as Float32Array;
    const got = q[t + DEQUANTIZED].data as Float32Array;
    const scale = scalarOf(graph, `${t}/q_scale`);
    const zero = scalarOf(graph, `${t}/q_zero_point`);
    let clipped = 0;
    const own = rms(ref, (i) => {
      const level = Math.round(ref[i] / scale) + zero;
      if (level < 0 || level > 255) clipped++;
      return (Math.min(255, Math.max(0, level)) - zero) * scale;
    });
    const range = `[${(-zero * scale).toFixed(2)}, ${((255 - zero) * scale).toFixed(2)}]`;
    console.log(`${rms(ref, (i) => got[i]).toFixed(1).padStart(8)} ${own.toFixed(1).padStart(7)} ${((100 * clipped) / ref.length).toFixed(2).padStart(7)}  ${range}  ${t}`);
  }
  await Promise.all([int8.release(), bypassed.release()]);
}

void main();
