/**
 * Pads a narrow depthwise stage to whole channel blocks, with zero channels, so onnxruntime keeps it
 * in its blocked layout. onnxruntime's CPU convolutions run in NCHWc (channels in blocks of 8 with
 * AVX2, the block this VM's MLAS uses); a depthwise convolution whose channel count is not a multiple
 * of the block, and the 1x1 convolution reading it, fall back to plain NCHW, and every tensor around
 * them is converted out of the blocked layout and back. The CenterNet head has two such stages (18
 * and 22 channels, between a 1x1 squeeze and a 1x1 expansion), one at the heads' resolution: padded,
 * the default's inference is 4 % faster here.
 *
 * Exact: the producing 1x1 convolution gets zero weight rows and zero bias for the new channels (ReLU
 * keeps them 0), the depthwise convolution zero filters, and the consuming convolution zero weight
 * columns, so every output is the same number (docs/detector.md, "Channels in whole blocks").
 */
import { onnx } from 'onnx-proto';
import { floatValues, setFloatValues } from './onnx-graph.js';

/** MLAS's NCHWc block with AVX2 (its AVX-512 block is 16; the convolutions of this model are multiples of 8). */
export const NCHWC_BLOCK = 8;

/** Ops between the three convolutions that act on each channel alone (the converter's layout transposes, the activation). */
const PER_CHANNEL = new Set(['Transpose', 'Relu', 'Identity']);

export interface PaddedStage {
  /** The depthwise Conv node padded. */
  depthwise: string;
  /** The Conv nodes whose cost grew by to/from: producer, depthwise, consumer. */
  convs: [string, string, string];
  from: number;
  to: number;
}

export interface AlignedModel {
  bytes: Uint8Array;
  padded: PaddedStage[];
}

/**
 * Pads every depthwise Conv with a channel count that is not a multiple of `block`, when an ungrouped
 * Conv with constant weights produces its input and one ungrouped Conv consumes its output, through
 * per-channel ops only and with no other reader (nor graph output) on the way; any other depthwise Conv
 * is left as it is.
 */
export function withAlignedChannels(modelBytes: Uint8Array, block = NCHWC_BLOCK): AlignedModel {
  const model = onnx.ModelProto.decode(modelBytes);
  const graph = model.graph;
  if (!graph?.node || !graph.initializer) throw new Error('model has no graph');
  const producer = new Map<string, onnx.INodeProto>();
  const readers = new Map<string, onnx.INodeProto[]>();
  for (const n of graph.node) {
    for (const out of n.output ?? []) producer.set(out, n);
    for (const i of n.input ?? []) readers.set(i, [...(readers.get(i) ?? []), n]);
  }
  const initializer = new Map(graph.initializer.map((t) => [t.name ?? '', t]));
  const floats = (name: string | undefined | null): onnx.ITensorProto | undefined => {
    const t = name ? initializer.get(name) : undefined;
    return t?.dataType === onnx.TensorProto.DataType.FLOAT ? t : undefined;
  };
  const graphOutputs = new Set((graph.output ?? []).map((o) => o.name));
  // Read by one node and nothing else (a graph output would change shape with the padding).
  const onlyReader = (name: string): boolean => (readers.get(name) ?? []).length === 1 && !graphOutputs.has(name);
  // The Conv that feeds `name` through per-channel ops, every tensor on the way read by the next one only.
  const upstream = (name: string): onnx.INodeProto | undefined => {
    let n = onlyReader(name) ? producer.get(name) : undefined;
    while (n && PER_CHANNEL.has(n.opType ?? '')) n = onlyReader(n.input?.[0] ?? '') ? producer.get(n.input?.[0] ?? '') : undefined;
    return n;
  };
  // The Conv that `name` feeds, likewise.
  const downstream = (name: string): onnx.INodeProto | undefined => {
    let n = onlyReader(name) ? readers.get(name)?.[0] : undefined;
    while (n && PER_CHANNEL.has(n.opType ?? '')) n = onlyReader(n.output?.[0] ?? '') ? readers.get(n.output?.[0] ?? '')?.[0] : undefined;
    return n;
  };

  const padded: PaddedStage[] = [];
  for (const dw of graph.node) {
    const group = dw.attribute?.find((a) => a.name === 'group');
    const w = floats(dw.input?.[1]);
    const [channels, perGroup] = w?.dims?.map(Number) ?? [];
    if (dw.opType !== 'Conv' || !w || !group || Number(group.i) !== channels || perGroup !== 1 || channels % block === 0) continue;
    const before = upstream(dw.input?.[0] ?? '');
    const after = downstream(dw.output?.[0] ?? '');
    const beforeW = floats(before?.input?.[1]);
    const afterW = floats(after?.input?.[1]);
    if (before?.opType !== 'Conv' || after?.opType !== 'Conv' || !beforeW || !afterW) continue;
    if (Number(beforeW.dims?.[0]) !== channels || Number(afterW.dims?.[1]) !== channels || isGrouped(before) || isGrouped(after)) continue;
    const to = Math.ceil(channels / block) * block;
    padRows(beforeW, to);
    const beforeBias = floats(before.input?.[2]);
    if (beforeBias) padRows(beforeBias, to);
    padRows(w, to);
    const dwBias = floats(dw.input?.[2]);
    if (dwBias) padRows(dwBias, to);
    group.i = to;
    padColumns(afterW, to);
    padded.push({ depthwise: dw.name ?? '', convs: [before.name ?? '', dw.name ?? '', after.name ?? ''], from: channels, to });
  }
  return { bytes: onnx.ModelProto.encode(model).finish(), padded };
}

function isGrouped(conv: onnx.INodeProto): boolean {
  return Number(conv.attribute?.find((a) => a.name === 'group')?.i ?? 1) !== 1;
}

/** More rows of zeros along the first axis (output channels; a bias's channels). */
function padRows(t: onnx.ITensorProto, rows: number): void {
  const dims = (t.dims ?? []).map(Number);
  const perRow = dims.slice(1).reduce((a, b) => a * b, 1);
  const out = new Float32Array(rows * perRow);
  out.set(floatValues(t));
  setFloatValues(t, out, [rows, ...dims.slice(1)]);
}

/** More zero input channels (the second axis of OIHW weights). */
function padColumns(t: onnx.ITensorProto, columns: number): void {
  const [o, i, kh, kw] = (t.dims ?? []).map(Number);
  const src = floatValues(t);
  const k = kh * kw;
  const out = new Float32Array(o * columns * k);
  for (let r = 0; r < o; r++) out.set(src.subarray(r * i * k, (r + 1) * i * k), r * columns * k);
  setFloatValues(t, out, [o, columns, kh, kw]);
}
