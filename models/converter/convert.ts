import { rescaleResizeSizes } from './input-size.js';
import { macsOf } from './macs.js';
import { fuseHardActivations, type FusedActivations } from './fuse-activations.js';
import { ONNX_OPSET, OnnxGraphBuilder } from './onnx-graph.js';
import { onnxTypeOf, translate, type OpContext } from './ops.js';
import { inferNode } from './shapes.js';
import {
  loadTfjsGraph, parseRef, probeTensors, tensorName,
  type ConstTensor, type TensorInfo, type TfjsGraph, type TfNode,
} from './tfjs-graph.js';

export interface ConvertOptions {
  /** Path of the TFJS graph model.json (weight shards beside it). */
  modelJsonPath: string;
  /** Graph outputs to keep (TF tensor names); everything not feeding them is dropped. */
  outputs: string[];
  /** Extra intermediate tensors to expose as outputs, to compare layer by layer while debugging. */
  debugOutputs?: string[];
  graphName?: string;
  /**
   * Converts at another static input shape than the graph was exported with (per placeholder);
   * constant upsampling sizes scale with it (input-size.ts).
   */
  inputShapes?: Record<string, number[]>;
  /** Concatenates `outputs` (same shape but `axis`) into one ONNX output of this name. */
  joinOutputs?: { name: string; axis: number };
  /** Upsamplings by a whole factor as scales, not sizes: the graph then runs at any input size (ops.ts, ResizeBilinear). */
  anyInputSize?: boolean;
}

export interface ConvertResult {
  onnx: Uint8Array;
  inputs: { name: string; shape: number[] }[];
  outputs: { name: string; shape: number[] }[];
  /** TF ops translated, with counts, for the log. */
  ops: Record<string, number>;
  /** Nodes computed at conversion time because they depend on weights only. */
  folded: number;
  /** Multiply-accumulates of one inference, from the graph's shapes (macs.ts). */
  macs: number;
  /** The same per TF node that has any (the ONNX node translating it is named after it). */
  macsByNode: Record<string, number>;
  /** Activation chains written as one node (fuse-activations.ts). */
  fused: FusedActivations;
}

/**
 * Converts a TFJS graph model to an ONNX (opset 14) model with static shapes. Shapes follow TF's
 * rules from the static input shape (shapes.ts); the tfjs CPU backend computes weight-only subgraphs,
 * which are folded into initializers. The ONNX graph is emitted in a deterministic topological
 * order, so the bytes never change between runs for the same input files.
 */
export async function convertTfjsGraphModel(opts: ConvertOptions): Promise<ConvertResult> {
  const graph = await loadTfjsGraph(opts.modelJsonPath);
  const wanted = [...opts.outputs, ...(opts.debugOutputs ?? [])];
  const order = topoOrder(graph, wanted);

  const placeholders = order.filter((n) => graph.nodes.get(n)?.op === 'Placeholder');
  const feeds: Record<string, { shape: number[] }> = {};
  for (const p of placeholders) {
    const exported = placeholderShape(graph.nodes.get(p) as TfNode);
    const wantedShape = opts.inputShapes?.[p];
    if (wantedShape && wantedShape.join() !== exported.join()) rescaleResizeSizes(graph, exported, wantedShape);
    feeds[p] = { shape: wantedShape ?? exported };
  }

  const isConst = (node: string): boolean => graph.consts.has(node);
  const folded = new Set<string>();
  for (const name of order) {
    const node = graph.nodes.get(name) as TfNode;
    if (node.op === 'Const' || node.op === 'Placeholder') continue;
    const refs = dataRefs(node);
    if (refs.length > 0 && refs.every((r) => isConst(r.node) || folded.has(r.node))) folded.add(name);
  }

  // Values of weight-only subgraphs come from tfjs (cheap: only those nodes run).
  const probed = new Map<string, TensorInfo & { values?: ConstTensor['values'] }>();
  if (folded.size > 0) {
    for (const [k, v] of await probeTensors(graph, feeds, [...folded], folded)) probed.set(k, v);
  }
  // Every other tensor's shape by TF's shape rules: no need to run the network.
  let macs = 0;
  const macsByNode: Record<string, number> = {};
  for (const p of placeholders) probed.set(p, { dtype: 'float32', shape: feeds[p].shape });
  for (const name of order) {
    const node = graph.nodes.get(name) as TfNode;
    if (node.op === 'Const' || node.op === 'Placeholder' || folded.has(name)) continue;
    const refs = dataRefs(node);
    const inputs = refs.map((r) => {
      const t = tensorName(r.node, r.index);
      const c = graph.consts.get(r.node) ?? probed.get(t);
      if (!c) throw new Error(`no shape for ${t} (input of ${name})`);
      return { dtype: c.dtype, shape: c.shape };
    });
    const outs = inferNode({
      node,
      inputs,
      constInput: (i) => {
        const r = refs[i];
        if (!r) return undefined;
        const c = graph.consts.get(r.node);
        if (c) return c;
        const p = probed.get(tensorName(r.node, r.index));
        return p?.values ? { dtype: p.dtype, shape: p.shape, values: p.values } : undefined;
      },
    });
    outs.forEach((info, i) => probed.set(tensorName(name, i), info));
    const nodeMacs = macsOf(node, inputs, outs);
    if (nodeMacs > 0) macsByNode[name] = nodeMacs;
    macs += nodeMacs;
  }

  const constOf = (ref: string): ConstTensor | undefined => {
    const r = parseRef(ref);
    if (!r) return undefined;
    const c = graph.consts.get(r.node);
    if (c) return c;
    if (folded.has(r.node)) {
      const p = probed.get(tensorName(r.node, r.index));
      if (p?.values) return { dtype: p.dtype, shape: p.shape, values: p.values };
    }
    return undefined;
  };

  const b = new OnnxGraphBuilder();
  for (const p of placeholders) b.input(p, 'float32', feeds[p].shape);
  const ops: Record<string, number> = {};
  for (const name of order) {
    const node = graph.nodes.get(name) as TfNode;
    if (node.op === 'Const' || node.op === 'Placeholder' || folded.has(name)) continue;
    ops[node.op] = (ops[node.op] ?? 0) + 1;
    const refs = dataRefs(node);
    const info = (t: string): TensorInfo => {
      const c = constOf(t);
      if (c) return { dtype: c.dtype, shape: c.shape };
      const p = probed.get(t);
      if (!p) throw new Error(`no shape for ${t}`);
      return p;
    };
    const ctx: OpContext = {
      b,
      node,
      input: (i) => {
        const r = refs[i];
        const t = tensorName(r.node, r.index);
        const c = constOf(t);
        if (c) return b.constant(t, c.dtype, c.shape, c.values);
        return t;
      },
      inputInfo: (i) => info(tensorName(refs[i].node, refs[i].index)),
      constInput: (i) => (refs[i] ? constOf(tensorName(refs[i].node, refs[i].index)) : undefined),
      outputInfo: (i) => info(tensorName(name, i)),
      out: (i) => tensorName(name, i),
      anyInputSize: opts.anyInputSize ?? false,
    };
    translate(ctx);
  }
  const infos = wanted.map((w) => {
    const p = probed.get(w);
    if (!p) throw new Error(`output ${w} not found`);
    return { name: w, info: p };
  });
  const outputs = opts.joinOutputs ? [joinOutputs(b, infos, opts.joinOutputs)] : infos.map(({ name, info }) => {
    b.output(name, onnxTypeOf(info), info.shape);
    return { name, shape: info.shape };
  });
  graph.model.dispose();
  const fused = fuseHardActivations(b);
  const doc = `Converted from TFJS graph model by models/converter (opset ${ONNX_OPSET}, NHWC input).`;
  return {
    onnx: b.encode(opts.graphName ?? 'converted', 'edge-agent-tfjs-to-onnx', doc),
    inputs: placeholders.map((p) => ({ name: p, shape: feeds[p].shape })),
    outputs,
    ops,
    folded: folded.size,
    fused,
    macs,
    macsByNode,
  };
}

/** One output holding several along `axis` (a decoder reading one tensor instead of several). */
function joinOutputs(b: OnnxGraphBuilder, parts: { name: string; info: TensorInfo }[], join: { name: string; axis: number }): { name: string; shape: number[] } {
  const first = parts[0].info;
  const axis = join.axis < 0 ? join.axis + first.shape.length : join.axis;
  const shape = first.shape.slice();
  shape[axis] = parts.reduce((sum, p) => sum + p.info.shape[axis], 0);
  for (const p of parts) {
    if (p.info.dtype !== first.dtype || p.info.shape.some((d, i) => i !== axis && d !== first.shape[i])) {
      throw new Error(`cannot join output ${p.name} [${p.info.shape}] to [${first.shape}] along axis ${axis}`);
    }
  }
  b.node('Concat', parts.map((p) => p.name), [join.name], join.name, { axis });
  b.output(join.name, onnxTypeOf(first), shape);
  return { name: join.name, shape };
}

function dataRefs(node: TfNode): { node: string; index: number }[] {
  const out: { node: string; index: number }[] = [];
  for (const ref of node.input ?? []) {
    const r = parseRef(ref);
    if (r) out.push(r);
  }
  return out;
}

function placeholderShape(node: TfNode): number[] {
  const dims = node.attr?.shape?.shape?.dim;
  const shape = (dims ?? []).map((d) => Number(d.size));
  if (!dims || shape.some((d) => !(d > 0))) {
    throw new Error(`input ${node.name} needs a static shape (got ${JSON.stringify(shape)})`);
  }
  return shape;
}

/** Nodes needed for `outputs`, inputs before consumers, visiting inputs in declared order. */
function topoOrder(graph: TfjsGraph, outputs: string[]): string[] {
  const order: string[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (start: string): void => {
    // Iterative DFS: the graph is deep enough to make recursion needlessly risky.
    const stack: { name: string; next: number }[] = [{ name: start, next: 0 }];
    while (stack.length) {
      const top = stack[stack.length - 1];
      if (top.next === 0) {
        if (state.get(top.name) === 'done') { stack.pop(); continue; }
        if (!graph.nodes.has(top.name)) throw new Error(`graph has no node ${top.name}`);
        state.set(top.name, 'visiting');
      }
      const refs = dataRefs(graph.nodes.get(top.name) as TfNode);
      if (top.next < refs.length) {
        const dep = refs[top.next++].node;
        const s = state.get(dep);
        if (s === 'visiting') throw new Error(`cycle through ${dep}`);
        if (s !== 'done') stack.push({ name: dep, next: 0 });
        continue;
      }
      state.set(top.name, 'done');
      order.push(top.name);
      stack.pop();
    }
  };
  for (const o of outputs) visit(parseRef(o)?.node ?? o);
  return order;
}
