/**
 * Keeps only some classes of a CenterNet heads output: the rows of the class convolution that
 * produce the other classes' logits are dropped. The agent reports six road users; the other 74
 * COCO classes cost the model its largest single convolution (128 → 80 channels at a quarter of the
 * input resolution: 12 % of the default's multiply-accumulates), a heads output eight times wider
 * than needed and the memory traffic of both. Between that convolution and the heads' Concat there are
 * only per-channel operations (Transpose, Sigmoid, Identity), so every kept class scores exactly as
 * it did among the 80.
 */
import { onnx } from 'onnx-proto';
import { floatValues, setFloatValues } from './onnx-graph.js';

export interface ClassSubsetOptions {
  /** The joined heads output (a Concat on the channel axis, NHWC): heatmaps first. */
  heads: string;
  /** The sigmoid class heatmaps [1,H,W,C], the Concat's first input. */
  heatmaps: string;
  /** Class channels to keep, in the order the new heatmaps carry them. */
  keep: readonly number[];
}

export interface ClassSubsetModel {
  bytes: Uint8Array;
  /** Multiply-accumulates the dropped rows cost (the class convolution's share, at the heads' H×W). */
  macsRemoved: number;
}

/** Ops that act on each channel alone, so slicing the channels before them equals slicing after. */
const PER_CHANNEL = new Set(['Identity', 'Sigmoid', 'Transpose']);

export function withClassSubset(modelBytes: Uint8Array, o: ClassSubsetOptions): ClassSubsetModel {
  const model = onnx.ModelProto.decode(modelBytes);
  const graph = model.graph;
  const fail = (why: string): never => {
    throw new Error(`class subset of "${o.heads}": ${why}`);
  };
  if (!graph?.node || !graph.initializer) return fail('model has no graph');
  const producer = new Map<string, onnx.INodeProto>();
  for (const n of graph.node) for (const out of n.output ?? []) producer.set(out, n);

  const join = producer.get(o.heads);
  const dims = graph.output?.find((v) => v.name === o.heads)?.type?.tensorType?.shape?.dim;
  if (!join || join.opType !== 'Concat' || join.input?.[0] !== o.heatmaps || !dims || dims.length !== 4) {
    return fail(`must be a graph output [1,H,W,C] joined by a Concat whose first input is "${o.heatmaps}"`);
  }
  let node = producer.get(o.heatmaps);
  while (node && PER_CHANNEL.has(node.opType ?? '')) node = producer.get(node.input?.[0] ?? '');
  if (!node || node.opType !== 'Conv') return fail(`"${o.heatmaps}" is not computed by a Conv through per-channel ops only`);

  const weights = graph.initializer.find((t) => t.name === node?.input?.[1]);
  const bias = graph.initializer.find((t) => t.name === node?.input?.[2]);
  const [classes, inPerGroup, kh, kw] = weights?.dims?.map(Number) ?? [];
  if (!weights || !bias || weights.dataType !== onnx.TensorProto.DataType.FLOAT || !classes) return fail('the class Conv needs float weights and a bias');
  if (o.keep.length === 0 || o.keep.some((c) => !Number.isInteger(c) || c < 0 || c >= classes) || new Set(o.keep).size !== o.keep.length) {
    return fail(`keep must list distinct classes of 0..${classes - 1}, got [${o.keep.join(',')}]`);
  }
  const perClass = inPerGroup * kh * kw;
  setFloatValues(weights, rowsOf(floatValues(weights), perClass, o.keep), [o.keep.length, inPerGroup, kh, kw]);
  setFloatValues(bias, rowsOf(floatValues(bias), 1, o.keep), [o.keep.length]);

  const channels = dims[3];
  const boxChannels = Number(channels.dimValue) - classes;
  channels.dimValue = o.keep.length + boxChannels;
  const cells = Number(dims[1].dimValue) * Number(dims[2].dimValue);
  return { bytes: onnx.ModelProto.encode(model).finish(), macsRemoved: (classes - o.keep.length) * perClass * cells };
}

function rowsOf(src: Float32Array, rowLength: number, keep: readonly number[]): Float32Array {
  const out = new Float32Array(keep.length * rowLength);
  keep.forEach((c, i) => out.set(src.subarray(c * rowLength, (c + 1) * rowLength), i * rowLength));
  return out;
}
