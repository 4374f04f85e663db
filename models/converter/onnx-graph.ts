import { onnx } from 'onnx-proto';

const DataType = onnx.TensorProto.DataType;
export type OnnxDataType = 'float32' | 'int32' | 'int64' | 'bool';

const DATA_TYPE: Record<OnnxDataType, number> = {
  float32: DataType.FLOAT,
  int32: DataType.INT32,
  int64: DataType.INT64,
  bool: DataType.BOOL,
};

export type AttrValue = number | string | number[] | { float: number };

/** 14: the first opset with HardSwish (fuse-activations.ts); nothing else the converter emits changed from 13. */
export const ONNX_OPSET = 14;

/** A float tensor's values (raw bytes or the repeated field), copied: a float initializer's weights. */
export function floatValues(t: onnx.ITensorProto): Float32Array {
  if (t.dataType !== DataType.FLOAT) throw new Error(`${t.name}: expected float weights`);
  if (t.rawData && t.rawData.length) return new Float32Array(Uint8Array.from(t.rawData).buffer);
  return Float32Array.from(t.floatData ?? []);
}

/** Replaces a float initializer's values and shape (as raw bytes, the form the converter writes). */
export function setFloatValues(t: onnx.ITensorProto, values: Float32Array, dims: number[]): void {
  t.dims = dims;
  t.floatData = [];
  t.rawData = new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
}

export function nodeProto(opType: string, inputs: string[], outputs: string[], name: string, attrs: Record<string, AttrValue> = {}): onnx.INodeProto {
  return { opType, input: inputs, output: outputs, name, attribute: Object.keys(attrs).map((k) => attribute(k, attrs[k])) };
}

function attribute(name: string, value: AttrValue): onnx.IAttributeProto {
  const T = onnx.AttributeProto.AttributeType;
  if (typeof value === 'string') return { name, type: T.STRING, s: Buffer.from(value, 'utf8') };
  if (Array.isArray(value)) return { name, type: T.INTS, ints: value };
  if (typeof value === 'object') return { name, type: T.FLOAT, f: value.float };
  return { name, type: T.INT, i: value };
}

/**
 * Accumulates ONNX nodes and initializers in insertion order, so the same conversion always
 * serialises to the same bytes (no maps iterated in hash order, no timestamps).
 */
export class OnnxGraphBuilder {
  private readonly nodes: onnx.INodeProto[] = [];
  private readonly initializers: onnx.ITensorProto[] = [];
  private readonly initializerNames = new Set<string>();
  private readonly inputs: onnx.IValueInfoProto[] = [];
  private readonly outputs: onnx.IValueInfoProto[] = [];

  hasInitializer(name: string): boolean {
    return this.initializerNames.has(name);
  }

  /** Adds a constant tensor once; later calls with the same name reuse it. Returns its name. */
  constant(name: string, type: OnnxDataType, dims: number[], values: ArrayLike<number> | bigint[]): string {
    if (this.initializerNames.has(name)) return name;
    this.initializerNames.add(name);
    this.initializers.push({ name, dataType: DATA_TYPE[type], dims, rawData: rawBytes(type, values) });
    return name;
  }

  node(opType: string, inputs: string[], outputs: string[], name: string, attrs: Record<string, AttrValue> = {}): void {
    this.nodes.push(nodeProto(opType, inputs, outputs, name, attrs));
  }

  /** The nodes so far, in order (for a rewriting pass: `replaceNodes`). */
  get nodeList(): readonly onnx.INodeProto[] {
    return this.nodes;
  }

  /** Names of the graph outputs declared so far. */
  get outputNames(): string[] {
    return this.outputs.map((o) => o.name as string);
  }

  /** The value of a one-element float32 initializer; undefined for anything else. */
  scalar(name: string): number | undefined {
    if (!this.initializerNames.has(name)) return undefined;
    const t = this.initializers.find((i) => i.name === name);
    if (!t || t.dataType !== DataType.FLOAT || !t.rawData || t.rawData.length !== 4) return undefined;
    return Buffer.from(t.rawData).readFloatLE(0);
  }

  /** Replaces every node (order kept by the caller) and drops the initializers no node reads any more. */
  replaceNodes(nodes: onnx.INodeProto[]): void {
    this.nodes.splice(0, this.nodes.length, ...nodes);
    const read = new Set(nodes.flatMap((n) => n.input ?? []));
    for (let i = this.initializers.length - 1; i >= 0; i--) {
      const name = this.initializers[i].name as string;
      if (read.has(name)) continue;
      this.initializers.splice(i, 1);
      this.initializerNames.delete(name);
    }
  }

  input(name: string, type: OnnxDataType, dims: number[]): void {
    this.inputs.push(valueInfo(name, type, dims));
  }

  output(name: string, type: OnnxDataType, dims: number[]): void {
    this.outputs.push(valueInfo(name, type, dims));
  }

  encode(graphName: string, producer: string, docString: string): Uint8Array {
    const model: onnx.IModelProto = {
      irVersion: 7,
      producerName: producer,
      producerVersion: '1',
      docString,
      opsetImport: [{ domain: '', version: ONNX_OPSET }],
      graph: {
        name: graphName,
        node: this.nodes,
        initializer: this.initializers,
        input: this.inputs,
        output: this.outputs,
      },
    };
    return onnx.ModelProto.encode(model).finish();
  }
}

function valueInfo(name: string, type: OnnxDataType, dims: number[]): onnx.IValueInfoProto {
  return {
    name,
    type: { tensorType: { elemType: DATA_TYPE[type], shape: { dim: dims.map((d) => ({ dimValue: d })) } } },
  };
}

function rawBytes(type: OnnxDataType, values: ArrayLike<number> | bigint[]): Uint8Array {
  const n = values.length;
  switch (type) {
    case 'float32': {
      const a = new Float32Array(n);
      for (let i = 0; i < n; i++) a[i] = Number(values[i]);
      return new Uint8Array(a.buffer);
    }
    case 'int32': {
      const a = new Int32Array(n);
      for (let i = 0; i < n; i++) a[i] = Number(values[i]);
      return new Uint8Array(a.buffer);
    }
    case 'int64': {
      const a = new BigInt64Array(n);
      for (let i = 0; i < n; i++) a[i] = BigInt(values[i]);
      return new Uint8Array(a.buffer);
    }
    case 'bool': {
      const a = new Uint8Array(n);
      for (let i = 0; i < n; i++) a[i] = Number(values[i]) ? 1 : 0;
      return a;
    }
  }
}
