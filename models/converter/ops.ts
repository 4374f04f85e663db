import type { OnnxDataType, OnnxGraphBuilder } from './onnx-graph.js';
import {
  attrBool, attrInt, attrInts, attrString, attrStrings, attrType,
  type ConstTensor, type TensorInfo, type TfNode,
} from './tfjs-graph.js';

/** What a translator sees of one TF node. */
export interface OpContext {
  b: OnnxGraphBuilder;
  node: TfNode;
  /** ONNX name of data input i (a weight is added as an initializer on first use). */
  input(i: number): string;
  /** Shape/dtype of data input i. */
  inputInfo(i: number): TensorInfo;
  /** Value of data input i when it is known at conversion time (weights, folded subgraphs). */
  constInput(i: number): ConstTensor | undefined;
  /** Shape/dtype of output i of this node. */
  outputInfo(i: number): TensorInfo;
  /** ONNX name of output i of this node. */
  out(i: number): string;
  /** The graph is to run at any input size (ConvertOptions.anyInputSize). */
  anyInputSize: boolean;
}

type Translator = (c: OpContext) => void;

export class UnsupportedOpError extends Error {}

/** The ONNX Conv node a TF convolution node becomes (its MACs are keyed by the TF name: convert.ts). */
export const convNodeName = (tfNode: string): string => `${tfNode}/nchw_conv`;

const NHWC_TO_NCHW = [0, 3, 1, 2];
const NCHW_TO_NHWC = [0, 2, 3, 1];

function fail(c: OpContext, why: string): never {
  throw new UnsupportedOpError(`${c.node.op} ${c.node.name}: ${why}`);
}

function requireConst(c: OpContext, i: number, what: string): ConstTensor {
  const v = c.constInput(i);
  if (!v) fail(c, `${what} must be known at conversion time`);
  return v;
}

function onnxType(t: TensorInfo['dtype']): OnnxDataType {
  return t;
}

function int64Const(c: OpContext, suffix: string, values: number[]): string {
  return c.b.constant(`${c.node.name}/${suffix}`, 'int64', [values.length], values);
}

function checkNhwc(c: OpContext): void {
  const fmt = attrString(c.node, 'data_format');
  if (fmt !== undefined && fmt !== 'NHWC') fail(c, `data_format ${fmt} (only NHWC)`);
}

/** TF padding (SAME/VALID/EXPLICIT) as ONNX pads [top, left, bottom, right] for an NHWC input. */
function spatialPads(c: OpContext, inShape: number[], kernel: [number, number], strides: [number, number], dilations: [number, number]): number[] {
  const padding = attrString(c.node, 'padding') ?? 'VALID';
  if (padding === 'VALID') return [0, 0, 0, 0];
  if (padding === 'EXPLICIT') {
    const p = attrInts(c.node, 'explicit_paddings') ?? [];
    return [p[2], p[4], p[3], p[5]];
  }
  if (padding !== 'SAME') fail(c, `padding ${padding}`);
  const before: number[] = [];
  const after: number[] = [];
  for (let d = 0; d < 2; d++) {
    const size = inShape[1 + d];
    const outSize = Math.ceil(size / strides[d]);
    const effK = (kernel[d] - 1) * dilations[d] + 1;
    const total = Math.max((outSize - 1) * strides[d] + effK - size, 0);
    // TF puts the odd pixel after, like ONNX SAME_UPPER.
    before.push(Math.floor(total / 2));
    after.push(total - Math.floor(total / 2));
  }
  return [before[0], before[1], after[0], after[1]];
}

function hw(v: number[] | undefined, fallback: number): [number, number] {
  return v ? [v[1], v[2]] : [fallback, fallback];
}

/** Applies the fused activation of a _Fused* op (already after BiasAdd) on an NCHW tensor. */
function activation(c: OpContext, ops: string[], x: string, outName: string): string {
  const act = ops.filter((o) => o !== 'BiasAdd');
  if (act.length === 0) return x;
  if (act.length > 1) fail(c, `fused ops ${ops.join(',')}`);
  switch (act[0]) {
    case 'Relu': c.b.node('Relu', [x], [outName], outName); return outName;
    case 'Relu6': c.b.node('Clip', [x, f32Scalar(c, 0), f32Scalar(c, 6)], [outName], outName); return outName;
    case 'Sigmoid': c.b.node('Sigmoid', [x], [outName], outName); return outName;
    default: fail(c, `fused activation ${act[0]}`);
  }
}

function f32Scalar(c: OpContext, v: number): string {
  return c.b.constant(`const/f32/${v}`, 'float32', [], [v]);
}

/**
 * A 2-D convolution on an NHWC tensor, as Transpose → Conv (+activation) → Transpose: ONNX convs are
 * NCHW; onnxruntime's transpose optimiser cancels the pairs between consecutive layers.
 */
function convNhwc(c: OpContext, depthwise: boolean): void {
  checkNhwc(c);
  const fusedOps = c.node.op.startsWith('_Fused') || c.node.op.startsWith('Fused') ? attrStrings(c.node, 'fused_ops') : [];
  if (fusedOps.length > 0 && fusedOps[0] !== 'BiasAdd') fail(c, `fused ops ${fusedOps.join(',')}`);
  const x = c.inputInfo(0);
  const w = requireConst(c, 1, 'filter');
  const [kh, kw, cin, cm] = w.shape;
  const strides = hw(attrInts(c.node, 'strides'), 1);
  const dilations = hw(attrInts(c.node, 'dilations'), 1);
  const pads = spatialPads(c, x.shape, [kh, kw], strides, dilations);
  // TF HWIO (or H,W,C,multiplier for depthwise) → ONNX OIHW ([C*M,1,H,W] with group=C for depthwise).
  const outC = depthwise ? cin * cm : cm;
  const inPerGroup = depthwise ? 1 : cin;
  const wt = new Float32Array(outC * inPerGroup * kh * kw);
  for (let y = 0; y < kh; y++)
    for (let xx = 0; xx < kw; xx++)
      for (let i = 0; i < cin; i++)
        for (let o = 0; o < cm; o++) {
          const src = ((y * kw + xx) * cin + i) * cm + o;
          const oc = depthwise ? i * cm + o : o;
          const ic = depthwise ? 0 : i;
          wt[((oc * inPerGroup + ic) * kh + y) * kw + xx] = w.values[src];
        }
  const name = c.node.name;
  const wName = c.b.constant(`${name}/onnx_weights`, 'float32', [outC, inPerGroup, kh, kw], wt);
  const convInputs = [`${name}/nchw_in`, wName];
  if (fusedOps.includes('BiasAdd')) {
    const bias = requireConst(c, 2, 'bias');
    convInputs.push(c.b.constant(`${name}/onnx_bias`, 'float32', [outC], bias.values));
  }
  c.b.node('Transpose', [c.input(0)], [`${name}/nchw_in`], `${name}/nchw_in`, { perm: NHWC_TO_NCHW });
  c.b.node('Conv', convInputs, [`${name}/nchw_conv`], convNodeName(name), {
    kernel_shape: [kh, kw], strides, dilations, pads, group: depthwise ? cin : 1,
  });
  const y = activation(c, fusedOps, `${name}/nchw_conv`, `${name}/nchw_act`);
  c.b.node('Transpose', [y], [c.out(0)], c.out(0), { perm: NCHW_TO_NHWC });
}

function elementwise(onnxOp: string): Translator {
  return (c) => {
    const ins = (c.node.input ?? []).filter((r) => !r.startsWith('^')).map((_, i) => c.input(i));
    c.b.node(onnxOp, ins, [c.out(0)], c.out(0));
  };
}

function normAxis(axis: number, rank: number): number {
  return axis < 0 ? axis + rank : axis;
}

const TF_DTYPE: Record<string, { onnx: number; name: OnnxDataType }> = {
  DT_FLOAT: { onnx: 1, name: 'float32' },
  DT_INT32: { onnx: 6, name: 'int32' },
  DT_INT64: { onnx: 7, name: 'int64' },
  DT_BOOL: { onnx: 9, name: 'bool' },
};

const translators: Record<string, Translator> = {
  Identity: elementwise('Identity'),
  Add: elementwise('Add'),
  AddV2: elementwise('Add'),
  Sub: elementwise('Sub'),
  Mul: elementwise('Mul'),
  RealDiv: elementwise('Div'),
  Equal: elementwise('Equal'),
  Relu: elementwise('Relu'),
  Sigmoid: elementwise('Sigmoid'),
  Relu6: (c) => c.b.node('Clip', [c.input(0), f32Scalar(c, 0), f32Scalar(c, 6)], [c.out(0)], c.out(0)),

  Conv2D: (c) => convNhwc(c, false),
  _FusedConv2D: (c) => convNhwc(c, false),
  DepthwiseConv2dNative: (c) => convNhwc(c, true),
  FusedDepthwiseConv2dNative: (c) => convNhwc(c, true),

  MaxPool: (c) => {
    checkNhwc(c);
    const k = hw(attrInts(c.node, 'ksize'), 1);
    const s = hw(attrInts(c.node, 'strides'), 1);
    const pads = spatialPads(c, c.inputInfo(0).shape, k, s, [1, 1]);
    const n = c.node.name;
    c.b.node('Transpose', [c.input(0)], [`${n}/nchw_in`], `${n}/nchw_in`, { perm: NHWC_TO_NCHW });
    // ONNX MaxPool ignores padded cells, as TF does.
    c.b.node('MaxPool', [`${n}/nchw_in`], [`${n}/nchw_pool`], `${n}/nchw_pool`, { kernel_shape: k, strides: s, pads });
    c.b.node('Transpose', [`${n}/nchw_pool`], [c.out(0)], c.out(0), { perm: NCHW_TO_NHWC });
  },

  ResizeBilinear: (c) => {
    const size = requireConst(c, 1, 'size');
    const [n, , , ch] = c.inputInfo(0).shape;
    const mode = attrBool(c.node, 'align_corners') ? 'align_corners' : attrBool(c.node, 'half_pixel_centers') ? 'half_pixel' : 'asymmetric';
    const [, h, w] = c.inputInfo(0).shape;
    const name = c.node.name;
    // For a graph to run at any input size, a whole-number factor (a feature pyramid's 2x) is written as
    // scales, not sizes (the windows of the frame-shaped models: docs/detector.md, "Windows").
    const fy = size.values[0] / h;
    const fx = size.values[1] / w;
    const target = c.anyInputSize && Number.isInteger(fy) && Number.isInteger(fx)
      ? ['', c.b.constant(`${name}/onnx_scales`, 'float32', [4], [1, 1, fy, fx])]
      : ['', '', int64Const(c, 'onnx_sizes', [n, ch, size.values[0], size.values[1]])];
    c.b.node('Transpose', [c.input(0)], [`${name}/nchw_in`], `${name}/nchw_in`, { perm: NHWC_TO_NCHW });
    c.b.node('Resize', [`${name}/nchw_in`, ...target], [`${name}/nchw_resize`], `${name}/nchw_resize`, {
      mode: 'linear', coordinate_transformation_mode: mode,
    });
    c.b.node('Transpose', [`${name}/nchw_resize`], [c.out(0)], c.out(0), { perm: NCHW_TO_NHWC });
  },

  Mean: (c) => {
    const rank = c.inputInfo(0).shape.length;
    const axes = Array.from(requireConst(c, 1, 'reduction_indices').values, (a) => normAxis(a, rank));
    c.b.node('ReduceMean', [c.input(0)], [c.out(0)], c.out(0), { axes, keepdims: attrBool(c.node, 'keep_dims') ? 1 : 0 });
  },

  ConcatV2: (c) => {
    const count = (c.node.input ?? []).filter((r) => !r.startsWith('^')).length - 1;
    const axis = normAxis(requireConst(c, count, 'axis').values[0], c.outputInfo(0).shape.length);
    const ins = Array.from({ length: count }, (_, i) => c.input(i));
    c.b.node('Concat', ins, [c.out(0)], c.out(0), { axis });
  },

  Reshape: (c) => {
    const shape = Array.from(requireConst(c, 1, 'shape').values);
    c.b.node('Reshape', [c.input(0), int64Const(c, 'onnx_shape', shape)], [c.out(0)], c.out(0));
  },

  ExpandDims: (c) => {
    const axis = requireConst(c, 1, 'dim').values[0];
    c.b.node('Unsqueeze', [c.input(0), int64Const(c, 'onnx_axes', [axis])], [c.out(0)], c.out(0));
  },

  Cast: (c) => {
    const to = TF_DTYPE[attrType(c.node, 'DstT') ?? ''];
    if (!to) fail(c, `cast to ${attrType(c.node, 'DstT')}`);
    c.b.node('Cast', [c.input(0)], [c.out(0)], c.out(0), { to: to.onnx });
  },

  TopKV2: (c) => {
    const k = requireConst(c, 1, 'k').values[0];
    if (attrBool(c.node, 'sorted') === false) fail(c, 'unsorted top-k');
    const n = c.node.name;
    c.b.node('TopK', [c.input(0), int64Const(c, 'onnx_k', [k])], [c.out(0), `${n}/indices_i64`], n, { axis: -1, largest: 1, sorted: 1 });
    // TF gives int32 indices; the graph's index arithmetic uses int32 constants.
    c.b.node('Cast', [`${n}/indices_i64`], [c.out(1)], `${n}/indices_i32`, { to: TF_DTYPE.DT_INT32.onnx });
  },

  FloorDiv: (c) => {
    const n = c.node.name;
    const a = c.input(0);
    const b = c.input(1);
    if (c.outputInfo(0).dtype === 'float32') {
      c.b.node('Div', [a, b], [`${n}/div`], `${n}/div`);
      c.b.node('Floor', [`${n}/div`], [c.out(0)], c.out(0));
      return;
    }
    // ONNX integer Div truncates; subtracting the floor remainder first makes the division exact.
    c.b.node('Mod', [a, b], [`${n}/mod`], `${n}/mod`, { fmod: 0 });
    c.b.node('Sub', [a, `${n}/mod`], [`${n}/sub`], `${n}/sub`);
    c.b.node('Div', [`${n}/sub`, b], [c.out(0)], c.out(0));
  },

  FloorMod: (c) => {
    const n = c.node.name;
    const a = c.input(0);
    const b = c.input(1);
    if (c.outputInfo(0).dtype !== 'float32') {
      // Integer Mod with fmod=0 takes the divisor's sign: TF FloorMod.
      c.b.node('Mod', [a, b], [c.out(0)], c.out(0), { fmod: 0 });
      return;
    }
    c.b.node('Div', [a, b], [`${n}/div`], `${n}/div`);
    c.b.node('Floor', [`${n}/div`], [`${n}/floor`], `${n}/floor`);
    c.b.node('Mul', [`${n}/floor`, b], [`${n}/mul`], `${n}/mul`);
    c.b.node('Sub', [a, `${n}/mul`], [c.out(0)], c.out(0));
  },

  GatherV2: (c) => {
    if ((attrInt(c.node, 'batch_dims') ?? 0) !== 0) fail(c, 'batch_dims != 0');
    const axis = normAxis(requireConst(c, 2, 'axis').values[0], c.inputInfo(0).shape.length);
    c.b.node('Gather', [c.input(0), c.input(1)], [c.out(0)], c.out(0), { axis });
  },

  StridedSlice: (c) => {
    const begin = Array.from(requireConst(c, 1, 'begin').values);
    const end = Array.from(requireConst(c, 2, 'end').values);
    const steps = Array.from(requireConst(c, 3, 'strides').values);
    const beginMask = attrInt(c.node, 'begin_mask') ?? 0;
    const endMask = attrInt(c.node, 'end_mask') ?? 0;
    const shrink = attrInt(c.node, 'shrink_axis_mask') ?? 0;
    if (attrInt(c.node, 'ellipsis_mask') || attrInt(c.node, 'new_axis_mask')) fail(c, 'ellipsis/new-axis masks');
    const BIG = 2 ** 31 - 1; // "to the end" for Slice (int64 accepts it; clamped to the dim)
    const starts: number[] = [];
    const ends: number[] = [];
    const axes: number[] = [];
    const squeeze: number[] = [];
    for (let i = 0; i < begin.length; i++) {
      const step = steps[i];
      const s = beginMask & (1 << i) ? (step > 0 ? 0 : BIG) : begin[i];
      let e = endMask & (1 << i) ? (step > 0 ? BIG : -BIG) : end[i];
      if (shrink & (1 << i)) {
        e = s + 1 === 0 ? BIG : s + 1;
        squeeze.push(i);
      }
      starts.push(s);
      ends.push(e);
      axes.push(i);
    }
    const n = c.node.name;
    const sliced = squeeze.length ? `${n}/slice` : c.out(0);
    c.b.node('Slice', [c.input(0), int64Const(c, 'onnx_starts', starts), int64Const(c, 'onnx_ends', ends), int64Const(c, 'onnx_axes', axes), int64Const(c, 'onnx_steps', steps)], [sliced], sliced);
    if (squeeze.length) c.b.node('Squeeze', [sliced, int64Const(c, 'onnx_squeeze', squeeze)], [c.out(0)], c.out(0));
  },
};

export function translate(c: OpContext): void {
  const t = translators[c.node.op];
  if (!t) throw new UnsupportedOpError(`op ${c.node.op} (${c.node.name}) has no ONNX translation`);
  t(c);
}

export function onnxTypeOf(info: TensorInfo): OnnxDataType {
  return onnxType(info.dtype);
}
