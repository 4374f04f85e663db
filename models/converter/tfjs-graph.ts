import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { loadGraphModel, type GraphModel } from '@tensorflow/tfjs-converter';

/** One attribute of a TF NodeDef as tfjs serialises it to JSON. */
export interface TfAttr {
  s?: string;
  i?: string | number;
  f?: number;
  b?: boolean;
  type?: string;
  list?: { i?: (string | number)[]; s?: string[]; f?: number[] };
  shape?: { dim?: { size: string | number }[] };
}

export interface TfNode {
  name: string;
  op: string;
  input?: string[];
  attr?: Record<string, TfAttr>;
}

export type TfDtype = 'float32' | 'int32' | 'bool';

/** A tensor known at conversion time: a weight, or a value folded from weights only. */
export interface ConstTensor {
  dtype: TfDtype;
  shape: number[];
  values: Float32Array | Int32Array | Uint8Array;
}

/** Shape and type of one tensor of the graph, measured by running it once with tfjs. */
export interface TensorInfo {
  dtype: TfDtype;
  shape: number[];
}

interface WeightSpec {
  name: string;
  shape: number[];
  dtype: string;
  quantization?: { dtype: string; min?: number; scale?: number; original_dtype?: string };
}

interface ModelJson {
  format?: string;
  generatedBy?: string;
  convertedBy?: string;
  modelTopology: { node: TfNode[] };
  weightsManifest: { paths: string[]; weights: WeightSpec[] }[];
  signature?: unknown;
}

export interface TfjsGraph {
  nodes: Map<string, TfNode>;
  /** Node names in file order, for deterministic iteration. */
  order: string[];
  consts: Map<string, ConstTensor>;
  model: GraphModel;
}

let backendReady: Promise<boolean> | undefined;

/** Loads a TFJS graph model (model.json + weight shards) from disk with the tfjs CPU backend. */
export async function loadTfjsGraph(modelJsonPath: string): Promise<TfjsGraph> {
  // PROD: no debug checks and no console banner suggesting tfjs-node (which cannot install offline).
  tf.env().set('PROD', true);
  backendReady ??= tf.setBackend('cpu');
  await backendReady;
  const json = JSON.parse(readFileSync(modelJsonPath, 'utf8')) as ModelJson;
  const specs: WeightSpec[] = [];
  const shards: Uint8Array[] = [];
  for (const group of json.weightsManifest) {
    specs.push(...group.weights);
    for (const p of group.paths) shards.push(readFileSync(join(dirname(modelJsonPath), p)));
  }
  const weightData = Buffer.concat(shards);
  const buffer = weightData.buffer.slice(weightData.byteOffset, weightData.byteOffset + weightData.byteLength);
  const artifacts: tf.io.ModelArtifacts = {
    modelTopology: json.modelTopology,
    weightSpecs: specs as tf.io.WeightsManifestEntry[],
    weightData: buffer,
    format: json.format,
    generatedBy: json.generatedBy,
    convertedBy: json.convertedBy,
  };
  const model = await loadGraphModel({ load: async () => artifacts });

  const consts = new Map<string, ConstTensor>();
  const decoded = tf.io.decodeWeights(buffer, specs as tf.io.WeightsManifestEntry[]);
  for (const name of Object.keys(decoded)) {
    const t = decoded[name];
    consts.set(name, { dtype: asDtype(t.dtype), shape: t.shape.slice(), values: t.dataSync() as ConstTensor['values'] });
    t.dispose();
  }
  const nodes = new Map<string, TfNode>();
  const order: string[] = [];
  for (const n of json.modelTopology.node) {
    nodes.set(n.name, n);
    order.push(n.name);
  }
  return { nodes, order, consts, model };
}

function asDtype(d: string): TfDtype {
  if (d === 'float32' || d === 'int32' || d === 'bool') return d;
  throw new Error(`unsupported tensor dtype ${d}`);
}

/**
 * Runs the graph once on `input` and returns, per requested tensor name, its shape and dtype —
 * plus its values when `keepValues` has the name (used to fold weight-only subgraphs and to
 * cross-check the ONNX model layer by layer).
 */
export async function probeTensors(
  graph: TfjsGraph,
  feeds: Record<string, { shape: number[]; data?: Float32Array }>,
  names: string[],
  keepValues: Set<string>,
): Promise<Map<string, TensorInfo & { values?: ConstTensor['values'] }>> {
  const inputs: Record<string, tf.Tensor> = {};
  for (const [k, v] of Object.entries(feeds)) inputs[k] = v.data ? tf.tensor(v.data, v.shape, 'float32') : tf.zeros(v.shape, 'float32');
  const out = new Map<string, TensorInfo & { values?: ConstTensor['values'] }>();
  // execute(): the graphs this converter handles have no control flow or dynamic shapes.
  const result = graph.model.execute(inputs, names);
  const tensors = Array.isArray(result) ? result : [result];
  tensors.forEach((t, i) => {
    const info: TensorInfo & { values?: ConstTensor['values'] } = { dtype: asDtype(t.dtype), shape: t.shape.slice() };
    if (keepValues.has(names[i])) info.values = t.dataSync() as ConstTensor['values'];
    out.set(names[i], info);
    t.dispose();
  });
  for (const t of Object.values(inputs)) t.dispose();
  return out;
}

/** Splits a TF input reference "node:1" into node name and output index; "^ctrl" deps are not data. */
export function parseRef(ref: string): { node: string; index: number } | undefined {
  if (ref.startsWith('^')) return undefined;
  const m = /^(.*):(\d+)$/.exec(ref);
  return m ? { node: m[1], index: Number(m[2]) } : { node: ref, index: 0 };
}

/** The tensor name used in both the probe and the ONNX graph for output `index` of `node`. */
export function tensorName(node: string, index: number): string {
  return index === 0 ? node : `${node}:${index}`;
}

export function attrInts(node: TfNode, key: string): number[] | undefined {
  return node.attr?.[key]?.list?.i?.map(Number);
}

export function attrString(node: TfNode, key: string): string | undefined {
  const s = node.attr?.[key]?.s;
  return s === undefined ? undefined : Buffer.from(s, 'base64').toString('utf8');
}

export function attrStrings(node: TfNode, key: string): string[] {
  return (node.attr?.[key]?.list?.s ?? []).map((s) => Buffer.from(s, 'base64').toString('utf8'));
}

export function attrInt(node: TfNode, key: string): number | undefined {
  const i = node.attr?.[key]?.i;
  return i === undefined ? undefined : Number(i);
}

export function attrBool(node: TfNode, key: string): boolean | undefined {
  return node.attr?.[key]?.b;
}

export function attrType(node: TfNode, key: string): string | undefined {
  return node.attr?.[key]?.type;
}
