import {
  attrBool, attrInt, attrInts, attrString, attrType, parseRef, tensorName,
  type ConstTensor, type TensorInfo, type TfDtype, type TfNode,
} from './tfjs-graph.js';

/**
 * Static shape inference for the ops the converter translates, following TF's rules. Cheap (no
 * tensor maths), so conversion does not have to run the network; tfjs only computes the values of
 * weight-only subgraphs.
 */
export class ShapeError extends Error {}

const DTYPES: Record<string, TfDtype> = { DT_FLOAT: 'float32', DT_INT32: 'int32', DT_BOOL: 'bool' };

export interface ShapeContext {
  node: TfNode;
  inputs: TensorInfo[];
  /** Value of data input i when known at conversion time. */
  constInput(i: number): ConstTensor | undefined;
}

function need(c: ShapeContext, i: number, what: string): ConstTensor {
  const v = c.constInput(i);
  if (!v) throw new ShapeError(`${c.node.op} ${c.node.name}: ${what} must be known at conversion time`);
  return v;
}

function broadcast(c: ShapeContext): number[] {
  const rank = Math.max(...c.inputs.map((i) => i.shape.length));
  const out: number[] = [];
  for (let d = 0; d < rank; d++) {
    let size = 1;
    for (const i of c.inputs) {
      const s = i.shape[i.shape.length - rank + d] ?? 1;
      if (s !== 1) {
        if (size !== 1 && size !== s) throw new ShapeError(`${c.node.name}: cannot broadcast ${c.inputs.map((x) => `[${x.shape}]`).join(' ')}`);
        size = s;
      }
    }
    out.push(size);
  }
  return out;
}

/** Output size of a windowed op along one spatial dim, with TF padding rules. */
function windowOut(c: ShapeContext, size: number, k: number, s: number, d: number, dim: number): number {
  const padding = attrString(c.node, 'padding') ?? 'VALID';
  const effK = (k - 1) * d + 1;
  if (padding === 'SAME') return Math.ceil(size / s);
  if (padding === 'VALID') return Math.floor((size - effK) / s) + 1;
  const p = attrInts(c.node, 'explicit_paddings') ?? [];
  return Math.floor((size + p[2 + 2 * dim] + p[3 + 2 * dim] - effK) / s) + 1;
}

function spatial(c: ShapeContext, kh: number, kw: number, channels: number, ksizeFromAttr = false): number[] {
  const [n, h, w] = c.inputs[0].shape;
  const strides = attrInts(c.node, 'strides') ?? [1, 1, 1, 1];
  const dil = ksizeFromAttr ? [1, 1, 1, 1] : attrInts(c.node, 'dilations') ?? [1, 1, 1, 1];
  return [n, windowOut(c, h, kh, strides[1], dil[1], 0), windowOut(c, w, kw, strides[2], dil[2], 1), channels];
}

const same = (c: ShapeContext): TensorInfo[] => [{ ...c.inputs[0], shape: c.inputs[0].shape.slice() }];
const elementwise = (c: ShapeContext): TensorInfo[] => [{ dtype: c.inputs[0].dtype, shape: broadcast(c) }];
const norm = (axis: number, rank: number): number => (axis < 0 ? axis + rank : axis);

const RULES: Record<string, (c: ShapeContext) => TensorInfo[]> = {
  Identity: same, Relu: same, Relu6: same, Sigmoid: same,
  Add: elementwise, AddV2: elementwise, Sub: elementwise, Mul: elementwise, RealDiv: elementwise,
  FloorDiv: elementwise, FloorMod: elementwise,
  Equal: (c) => [{ dtype: 'bool', shape: broadcast(c) }],
  Cast: (c) => {
    const to = DTYPES[attrType(c.node, 'DstT') ?? ''];
    if (!to) throw new ShapeError(`${c.node.name}: cast to ${attrType(c.node, 'DstT')}`);
    return [{ dtype: to, shape: c.inputs[0].shape.slice() }];
  },
  Conv2D: (c) => { const [kh, kw, , co] = c.inputs[1].shape; return [{ dtype: 'float32', shape: spatial(c, kh, kw, co) }]; },
  _FusedConv2D: (c) => RULES.Conv2D(c),
  DepthwiseConv2dNative: (c) => { const [kh, kw, ci, m] = c.inputs[1].shape; return [{ dtype: 'float32', shape: spatial(c, kh, kw, ci * m) }]; },
  FusedDepthwiseConv2dNative: (c) => RULES.DepthwiseConv2dNative(c),
  MaxPool: (c) => { const k = attrInts(c.node, 'ksize') ?? [1, 1, 1, 1]; return [{ dtype: 'float32', shape: spatial(c, k[1], k[2], c.inputs[0].shape[3], true) }]; },
  ResizeBilinear: (c) => {
    const size = need(c, 1, 'size').values;
    const [n, , , ch] = c.inputs[0].shape;
    return [{ dtype: 'float32', shape: [n, size[0], size[1], ch] }];
  },
  Mean: (c) => {
    const rank = c.inputs[0].shape.length;
    const axes = new Set(Array.from(need(c, 1, 'reduction_indices').values, (a) => norm(a, rank)));
    const keep = attrBool(c.node, 'keep_dims') ?? false;
    const shape = c.inputs[0].shape.flatMap((s, d) => (axes.has(d) ? (keep ? [1] : []) : [s]));
    return [{ dtype: c.inputs[0].dtype, shape }];
  },
  ConcatV2: (c) => {
    const data = c.inputs.slice(0, -1);
    const axis = norm(need(c, data.length, 'axis').values[0], data[0].shape.length);
    const shape = data[0].shape.slice();
    shape[axis] = data.reduce((sum, i) => sum + i.shape[axis], 0);
    return [{ dtype: data[0].dtype, shape }];
  },
  Reshape: (c) => {
    const shape = Array.from(need(c, 1, 'shape').values);
    const total = c.inputs[0].shape.reduce((a, b) => a * b, 1);
    const known = shape.filter((s) => s !== -1).reduce((a, b) => a * b, 1);
    return [{ dtype: c.inputs[0].dtype, shape: shape.map((s) => (s === -1 ? total / known : s)) }];
  },
  ExpandDims: (c) => {
    const shape = c.inputs[0].shape.slice();
    const axis = need(c, 1, 'dim').values[0];
    shape.splice(axis < 0 ? shape.length + 1 + axis : axis, 0, 1);
    return [{ dtype: c.inputs[0].dtype, shape }];
  },
  TopKV2: (c) => {
    const shape = c.inputs[0].shape.slice();
    shape[shape.length - 1] = need(c, 1, 'k').values[0];
    return [{ dtype: c.inputs[0].dtype, shape }, { dtype: 'int32', shape: shape.slice() }];
  },
  GatherV2: (c) => {
    const p = c.inputs[0].shape;
    const axis = norm(need(c, 2, 'axis').values[0], p.length);
    return [{ dtype: c.inputs[0].dtype, shape: [...p.slice(0, axis), ...c.inputs[1].shape, ...p.slice(axis + 1)] }];
  },
  StridedSlice: (c) => {
    const begin = need(c, 1, 'begin').values;
    const end = need(c, 2, 'end').values;
    const steps = need(c, 3, 'strides').values;
    const bm = attrInt(c.node, 'begin_mask') ?? 0;
    const em = attrInt(c.node, 'end_mask') ?? 0;
    const sm = attrInt(c.node, 'shrink_axis_mask') ?? 0;
    const inShape = c.inputs[0].shape;
    const shape: number[] = [];
    inShape.forEach((size, d) => {
      if (d >= begin.length) { shape.push(size); return; }
      if (sm & (1 << d)) return;
      const st = steps[d];
      const clampTo = (v: number, lo: number, hi: number): number => Math.min(Math.max(v, lo), hi);
      const b = bm & (1 << d) ? (st > 0 ? 0 : size - 1) : clampTo(begin[d] < 0 ? begin[d] + size : begin[d], st > 0 ? 0 : -1, st > 0 ? size : size - 1);
      const e = em & (1 << d) ? (st > 0 ? size : -1) : clampTo(end[d] < 0 ? end[d] + size : end[d], st > 0 ? 0 : -1, st > 0 ? size : size - 1);
      shape.push(Math.max(0, Math.ceil((e - b) / st)));
    });
    return [{ dtype: c.inputs[0].dtype, shape }];
  },
};

/** Output infos of one node from its input infos. */
export function inferNode(c: ShapeContext): TensorInfo[] {
  const rule = RULES[c.node.op];
  if (!rule) throw new ShapeError(`op ${c.node.op} (${c.node.name}) has no shape rule`);
  return rule(c);
}

/** Convenience for callers holding a name → info map. */
export function refInfo(map: Map<string, TensorInfo>, ref: string): TensorInfo | undefined {
  const r = parseRef(ref);
  return r ? map.get(tensorName(r.node, r.index)) : undefined;
}
