import type { onnx } from 'onnx-proto';
import { nodeProto, type OnnxGraphBuilder } from './onnx-graph.js';

/** TF's 1/6 in MobileNetV3's hard activations, as the fp16 weights store it (0.16662598). */
const SIXTH_TOLERANCE = 1e-3;

export interface FusedActivations {
  hardSwish: number;
  hardSigmoid: number;
}

/**
 * MobileNetV3's activations come out of TF as elementwise chains: hard-swish as x·c · relu6(x + 3)
 * (four nodes) and the squeeze-excite gate's hard-sigmoid as relu6(x + 3) · c (three), c ≈ 1/6.
 * onnxruntime runs each node as its own pass over the tensor and, for nodes its blocked (NCHWc)
 * convolution layout does not cover, converts the tensor out of that layout and back: a quarter
 * of the whole model's time on this CPU (docs/detector.md, "Fused activations"). One ONNX
 * `HardSwish` / `HardSigmoid` node is the same function in one pass.
 * Exactness: HardSwish uses 1/6 where the chain uses c = 0.16662598, so it differs by at most a
 * relative 2.4e-4 (x vs 6c·x once saturated); HardSigmoid takes alpha = c, beta = 3c and clips at 1
 * where the chain clips at 6c. Both below the fp16 weights' own rounding (4.9e-4).
 * Rewrites `b` in place (after its outputs are declared); a chain whose intermediate values are read
 * elsewhere is left alone.
 */
export function fuseHardActivations(b: OnnxGraphBuilder): FusedActivations {
  const nodes = b.nodeList;
  const producer = new Map<string, onnx.INodeProto>();
  const readers = new Map<string, number>();
  for (const n of nodes) {
    for (const o of n.output ?? []) producer.set(o, n);
    for (const i of n.input ?? []) readers.set(i, (readers.get(i) ?? 0) + 1);
  }
  // A graph output (the debug outputs of cross-check.ts) is read from outside.
  for (const o of b.outputNames) readers.set(o, (readers.get(o) ?? 0) + 1);
  const only = (tensor: string): boolean => readers.get(tensor) === 1;
  /** A binary node's constant operand and its other input, when one operand is a float32 scalar. */
  const withScalar = (n: onnx.INodeProto | undefined, op: string): { c: number; other: string } | undefined => {
    if (!n || n.opType !== op || n.input?.length !== 2) return undefined;
    const [a, c] = n.input;
    const ca = b.scalar(a);
    const cc = b.scalar(c);
    if (cc !== undefined) return { c: cc, other: a };
    if (ca !== undefined) return { c: ca, other: c };
    return undefined;
  };
  const isSixth = (v: number): boolean => Math.abs(v - 1 / 6) < SIXTH_TOLERANCE;

  const dropped = new Set<onnx.INodeProto>();
  const replaced = new Map<onnx.INodeProto, onnx.INodeProto>();
  const fused: FusedActivations = { hardSwish: 0, hardSigmoid: 0 };
  for (const clip of nodes) {
    // relu6(x + 3): Clip(Add(x, 3), 0, 6)
    if (clip.opType !== 'Clip' || clip.input?.length !== 3 || b.scalar(clip.input[1]) !== 0 || b.scalar(clip.input[2]) !== 6) continue;
    const add = producer.get(clip.input[0]);
    const plus3 = withScalar(add, 'Add');
    if (!add || !plus3 || plus3.c !== 3 || !only(clip.input[0])) continue;
    const x = plus3.other;
    const clipOut = (clip.output ?? [])[0];
    const mul = nodes.find((n) => n.opType === 'Mul' && n.input?.includes(clipOut));
    if (!mul || !only(clipOut) || mul.input?.length !== 2) continue;
    const other = mul.input[0] === clipOut ? mul.input[1] : mul.input[0];
    const out = (mul.output ?? [])[0];
    const scale = b.scalar(other);
    if (scale !== undefined && isSixth(scale)) {
      replaced.set(mul, nodeProto('HardSigmoid', [x], [out], `${mul.name}/hard_sigmoid`, { alpha: { float: scale }, beta: { float: 3 * scale } }));
      dropped.add(add).add(clip);
      fused.hardSigmoid++;
      continue;
    }
    const xc = producer.get(other);
    const byC = withScalar(xc, 'Mul');
    if (!xc || !byC || byC.other !== x || !isSixth(byC.c) || !only(other)) continue;
    replaced.set(mul, nodeProto('HardSwish', [x], [out], `${mul.name}/hard_swish`));
    dropped.add(add).add(clip).add(xc);
    fused.hardSwish++;
  }
  b.replaceNodes(nodes.flatMap((n) => (dropped.has(n) ? [] : [replaced.get(n) ?? n])));
  return fused;
}
