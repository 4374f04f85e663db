/** Builds a small TFJS graph model (model.json + weights.bin) by hand, for converter tests. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

export type Dtype = 'DT_FLOAT' | 'DT_INT32';

/** Builds a small TFJS graph model (model.json + weights.bin) by hand, as the TF exporter writes it. */
export class TfjsGraphFile {
  private readonly nodes: object[] = [];
  private readonly weights: { name: string; shape: number[]; dtype: string }[] = [];
  private readonly chunks: Buffer[] = [];

  placeholder(name: string, shape: number[]): string {
    this.nodes.push({ name, op: 'Placeholder', attr: { dtype: { type: 'DT_FLOAT' }, shape: { shape: { dim: shape.map((s) => ({ size: String(s) })) } } } });
    return name;
  }

  const(name: string, dtype: Dtype, shape: number[], values: number[]): string {
    this.nodes.push({ name, op: 'Const', attr: { dtype: { type: dtype }, value: { tensor: { dtype, tensorShape: shape.length ? { dim: shape.map((s) => ({ size: String(s) })) } : {} } } } });
    this.weights.push({ name, shape, dtype: dtype === 'DT_FLOAT' ? 'float32' : 'int32' });
    this.chunks.push(Buffer.from((dtype === 'DT_FLOAT' ? new Float32Array(values) : new Int32Array(values)).buffer));
    return name;
  }

  op(name: string, op: string, input: string[], attr: Record<string, unknown> = {}): string {
    this.nodes.push({ name, op, input, attr });
    return name;
  }

  write(dir: string): string {
    writeFileSync(join(dir, 'weights.bin'), Buffer.concat(this.chunks));
    const json = {
      format: 'graph-model',
      generatedBy: 'test',
      convertedBy: 'test',
      modelTopology: { node: this.nodes, library: {}, versions: {} },
      weightsManifest: [{ paths: ['weights.bin'], weights: this.weights }],
    };
    const path = join(dir, 'model.json');
    writeFileSync(path, JSON.stringify(json));
    return path;
  }
}

export const b64 = (s: string): string => Buffer.from(s).toString('base64');
export const T = (t: Dtype): { type: Dtype } => ({ type: t });
