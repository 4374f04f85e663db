/**
 * Static post-training int8 quantization in QDQ form, written from the method of onnxruntime's own
 * quantizer (none of its code): on a graph already in NCHW with plain ONNX ops (optimiseForQuantization),
 * every Conv gets
 *  - its weights per output channel, symmetric int8 (scale = max|w| / 127, zero point 0), behind a
 *    DequantizeLinear(axis 0);
 *  - its bias as int32 at scale input-scale × weight-scale (what QLinearConv accumulates in);
 *  - its input activation and its output activation (after a Relu/Clip it alone feeds, which the
 *    quantized range then makes redundant) as uint8 asymmetric QuantizeLinear → DequantizeLinear,
 *    from calibrated [min, max] ranges (calibrate.ts).
 * onnxruntime fuses each DequantizeLinear → Conv → QuantizeLinear group into an integer QLinearConv
 * at session creation; everything else stays float between the pairs. A tensor is quantized once,
 * and every consumer reads the same DequantizeLinear output.
 */
import { writeFileSync, readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { onnx } from 'onnx-proto';
import { floatValues } from './onnx-graph.js';

const DT = onnx.TensorProto.DataType;
const ACTIVATIONS_AFTER_CONV = new Set(['Relu', 'Clip']);

export type Ranges = Record<string, [number, number]>;

/**
 * Lets onnxruntime do what its quantizer's pre-processing does: constant folding and its transpose
 * optimiser, which cancels the converter's NHWC↔NCHW pairs (Conv inputs become plain NCHW tensors
 * that can carry one QDQ pair each). Level 'basic' keeps standard ONNX ops only.
 */
export async function optimiseForQuantization(fp32: Uint8Array): Promise<Uint8Array> {
  const dir = mkdtempSync(join(tmpdir(), 'quantize-'));
  try {
    const out = join(dir, 'optimised.onnx');
    const session = await ort.InferenceSession.create(fp32, { graphOptimizationLevel: 'basic', optimizedModelFilePath: out, intraOpNumThreads: 1 });
    await session.release();
    return readFileSync(out);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export interface QuantPoint {
  tensor: string;
  role: 'conv input' | 'conv output';
  /** False for a head's output: no convolution reads it, downstream only decoding (sigmoid, concat). */
  feedsConv: boolean;
}

/** The activation tensors to calibrate and quantize, in graph order: each Conv's input and output. */
export function quantizationPoints(model: onnx.IModelProto): QuantPoint[] {
  const g = model.graph as onnx.IGraphProto;
  const initializers = new Set((g.initializer ?? []).map((t) => t.name));
  const consumers = consumerMap(g);
  const points: QuantPoint[] = [];
  const seen = new Set<string>();
  const add = (tensor: string, role: QuantPoint['role']): void => {
    if (seen.has(tensor) || initializers.has(tensor)) return;
    seen.add(tensor);
    points.push({ tensor, role, feedsConv: reachesConv(tensor, consumers) });
  };
  for (const n of g.node ?? []) {
    if (n.opType !== 'Conv') continue;
    add((n.input ?? [])[0], 'conv input');
    add(convOutput(n, consumers), 'conv output');
  }
  return points;
}

/** The Conv's output, or that of a Relu/Clip that alone consumes it (clamped by the quantized range). */
function convOutput(conv: onnx.INodeProto, consumers: Map<string, onnx.INodeProto[]>): string {
  const out = (conv.output ?? [])[0];
  const next = consumers.get(out) ?? [];
  return next.length === 1 && ACTIVATIONS_AFTER_CONV.has(next[0].opType ?? '') ? (next[0].output ?? [])[0] : out;
}

function reachesConv(tensor: string, consumers: Map<string, onnx.INodeProto[]>): boolean {
  const seen = new Set<string>();
  const todo = [tensor];
  while (todo.length) {
    for (const n of consumers.get(todo.pop() as string) ?? []) {
      if (n.opType === 'Conv') return true;
      for (const o of n.output ?? []) if (!seen.has(o)) { seen.add(o); todo.push(o); }
    }
  }
  return false;
}

function consumerMap(g: onnx.IGraphProto): Map<string, onnx.INodeProto[]> {
  const m = new Map<string, onnx.INodeProto[]>();
  for (const n of g.node ?? []) for (const i of n.input ?? []) m.set(i, [...(m.get(i) ?? []), n]);
  return m;
}

/** uint8 asymmetric scale/zero point of [min, max] (widened to hold 0, which must be exact). */
export function activationQuant(min: number, max: number): { scale: number; zeroPoint: number } {
  const lo = Math.min(min, 0);
  const hi = Math.max(max, 0);
  if (!(hi - lo > 0)) throw new Error(`empty range [${min}, ${max}]`);
  const scale = Math.fround((hi - lo) / 255);
  return { scale, zeroPoint: Math.min(255, Math.max(0, Math.round(-lo / scale))) };
}

/** Per-output-channel symmetric int8 of OIHW weights. */
export function quantizeWeights(w: Float32Array, outChannels: number): { q: Int8Array; scales: Float32Array } {
  const per = w.length / outChannels;
  const q = new Int8Array(w.length);
  const scales = new Float32Array(outChannels);
  for (let o = 0; o < outChannels; o++) {
    let absMax = 0;
    for (let i = o * per; i < (o + 1) * per; i++) absMax = Math.max(absMax, Math.abs(w[i]));
    // An all-zero channel: any scale represents it exactly; 1 avoids dividing by zero downstream.
    const scale = absMax > 0 ? Math.fround(absMax / 127) : 1;
    scales[o] = scale;
    for (let i = o * per; i < (o + 1) * per; i++) q[i] = Math.max(-127, Math.min(127, Math.round(w[i] / scale)));
  }
  return { q, scales };
}

const INT32_MAX = 2 ** 31 - 1;
/** Live activations of these models calibrate to ranges of 1 and wider; a hundredth of that is not live. */
const NEAR_DEAD_RANGE = 0.01;

/**
 * int32 bias at input scale × weight scale per channel (what QLinearConv adds to its int32 sums), or
 * null when a channel's bias does not fit: an Int32Array wraps it silently (after a nearly dead ReLU,
 * bias scales of 1e-14 to 3e-10 once turned 35-46 of a squeeze-excite's 72 positive biases negative).
 */
export function quantizeBias(bias: Float32Array, weightScales: Float32Array, inputScale: number): { q: Int32Array; scales: Float32Array } | null {
  const scales = weightScales.map((sc) => Math.fround(sc * inputScale));
  const levels = Array.from(bias, (v, i) => Math.round(v / scales[i]));
  if (levels.some((l) => Math.abs(l) > INT32_MAX)) return null;
  return { q: Int32Array.from(levels), scales };
}

/**
 * Rewrites an optimised fp32 model (optimiseForQuantization) into QDQ int8 with the given ranges.
 * Activations `keepFloat` names get no pair: the convolutions reading them stay float (mixed precision).
 */
export function quantizeQdq(optimised: Uint8Array, ranges: Ranges, docString: string, keepFloat: (tensor: string) => boolean = () => false): Uint8Array {
  const model = onnx.ModelProto.decode(optimised);
  const g = model.graph as onnx.GraphProto;
  const inits = new Map(g.initializer.map((t) => [t.name, t]));
  // Tensors kept float need no range: they are not quantization points here.
  const points = quantizationPoints(model).filter((p) => !keepFloat(p.tensor));
  const missing = points.filter((p) => !ranges[p.tensor]).map((p) => p.tensor);
  if (missing.length) throw new Error(`no calibrated range for ${missing.length} tensor(s), e.g. ${missing.slice(0, 3).join(', ')}`);

  const newInits: onnx.ITensorProto[] = [];
  const tensor = (name: string, dataType: number, dims: number[], raw: Uint8Array): string => {
    newInits.push({ name, dataType, dims, rawData: raw });
    return name;
  };
  const actQuant = new Map<string, { scale: number; zeroPoint: number; dq: string }>();
  const pairs: onnx.INodeProto[] = [];
  for (const p of points) {
    const [min, max] = ranges[p.tensor];
    // 0, or nearly, on every calibration frame (a dead ReLU, or one that leaks a few thousandths): left
    // in float. A step of under 4e-5 clips whatever the tensor carries on other frames, and it did: at
    // 384-512 one squeeze-excite ReLU calibrated at [0, 0.0002-0.005] took every score below 0.3.
    if (!(Math.max(max, 0) - Math.min(min, 0) >= NEAR_DEAD_RANGE)) continue;
    const { scale, zeroPoint } = activationQuant(min, max);
    const s = tensor(`${p.tensor}/q_scale`, DT.FLOAT, [], bytes(Float32Array.of(scale)));
    const z = tensor(`${p.tensor}/q_zero_point`, DT.UINT8, [], Uint8Array.of(zeroPoint));
    const dq = `${p.tensor}/dequantized`;
    pairs.push({ opType: 'QuantizeLinear', name: `${p.tensor}/quantize`, input: [p.tensor, s, z], output: [`${p.tensor}/quantized`] });
    pairs.push({ opType: 'DequantizeLinear', name: `${p.tensor}/dequantize`, input: [`${p.tensor}/quantized`, s, z], output: [dq] });
    actQuant.set(p.tensor, { scale, zeroPoint, dq });
  }

  const weightNodes: onnx.INodeProto[] = [];
  for (const n of g.node) {
    if (n.opType === 'Conv') {
      const input = n.input ?? [];
      const [x, wName, bName] = input;
      const xq = actQuant.get(x);
      if (!xq) continue; // input left in float: the Conv cannot become integer
      const w = inits.get(wName);
      if (!w) throw new Error(`Conv ${n.name}: weights ${wName} are not an initializer`);
      const dims = (w.dims ?? []).map(Number);
      const { q, scales } = quantizeWeights(floatValues(w), dims[0]);
      const b = bName ? inits.get(bName) : undefined;
      if (bName && !b) throw new Error(`Conv ${n.name}: bias ${bName} is not an initializer`);
      const bias = b ? quantizeBias(floatValues(b), scales, xq.scale) : undefined;
      // A bias past int32 at this input scale (a nearly dead input: squeeze-excite after a ReLU that
      // calibrated at ~0): the Conv stays float, reading the dequantized input.
      if (bias === null) continue;
      const ws = tensor(`${wName}/w_scale`, DT.FLOAT, [dims[0]], bytes(scales));
      const wz = tensor(`${wName}/w_zero_point`, DT.INT8, [dims[0]], new Uint8Array(dims[0]));
      const wq = tensor(`${wName}/w_quantized`, DT.INT8, dims, new Uint8Array(q.buffer));
      weightNodes.push({ opType: 'DequantizeLinear', name: `${wName}/dequantize`, input: [wq, ws, wz], output: [`${wName}/dequantized`], attribute: [axis0()] });
      input[1] = `${wName}/dequantized`;
      if (bName && bias) {
        const n32 = bias.q.length;
        const bs = tensor(`${bName}/b_scale`, DT.FLOAT, [n32], bytes(bias.scales));
        const bz = tensor(`${bName}/b_zero_point`, DT.INT32, [n32], new Uint8Array(4 * n32));
        const bqName = tensor(`${bName}/b_quantized`, DT.INT32, [n32], bytes(bias.q));
        weightNodes.push({ opType: 'DequantizeLinear', name: `${bName}/dequantize`, input: [bqName, bs, bz], output: [`${bName}/dequantized`], attribute: [axis0()] });
        input[2] = `${bName}/dequantized`;
      }
    }
  }
  // Consumers read the dequantized tensor; the QuantizeLinear itself reads the original.
  for (const n of g.node) n.input = (n.input ?? []).map((i) => actQuant.get(i)?.dq ?? i);
  for (const o of g.output) if (actQuant.has(o.name ?? '')) throw new Error(`graph output ${o.name} cannot be quantized in place`);

  g.node = topoSort([...weightNodes, ...pairs, ...g.node], g);
  const used = new Set(g.node.flatMap((n) => n.input ?? []));
  g.initializer = [...g.initializer.filter((t) => used.has(t.name ?? '')), ...newInits.map((t) => onnx.TensorProto.create(t))];
  model.docString = docString;
  model.producerName = 'edge-agent-quantize';
  return onnx.ModelProto.encode(model).finish();
}

function axis0(): onnx.IAttributeProto {
  return { name: 'axis', type: onnx.AttributeProto.AttributeType.INT, i: 0 };
}

function bytes(a: Float32Array | Int32Array): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}

/** Nodes ordered inputs-before-consumers (ONNX requires it), stable for the same input order. */
function topoSort(nodes: onnx.INodeProto[], g: onnx.IGraphProto): onnx.INodeProto[] {
  const available = new Set<string>([...(g.input ?? []).map((i) => i.name ?? ''), ...(g.initializer ?? []).map((t) => t.name ?? ''), '']);
  const producers = new Map<string, number>();
  nodes.forEach((n, i) => (n.output ?? []).forEach((o) => producers.set(o, i)));
  const done = new Array<boolean>(nodes.length).fill(false);
  const order: onnx.INodeProto[] = [];
  const visit = (start: number): void => {
    const stack: { i: number; next: number }[] = [{ i: start, next: 0 }];
    while (stack.length) {
      const top = stack[stack.length - 1];
      const inputs = nodes[top.i].input ?? [];
      if (top.next < inputs.length) {
        const name = inputs[top.next++];
        const p = producers.get(name);
        if (!available.has(name) && p !== undefined && !done[p]) stack.push({ i: p, next: 0 });
        continue;
      }
      stack.pop();
      if (done[top.i]) continue;
      done[top.i] = true;
      order.push(nodes[top.i]);
    }
  };
  nodes.forEach((_, i) => { if (!done[i]) visit(i); });
  return order;
}
