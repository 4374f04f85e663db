/**
 * Activation ranges for static quantization: the optimised fp32 model runs on real frames with
 * every tensor to quantize exposed as an output, and each tensor's widest range over all frames is
 * kept: its extremes (onnxruntime's MinMax method) or, per tensor, a percentile that ignores rare
 * outliers (onnxruntime's Percentile method, taken per frame here). A tensor that is 0 on every frame (a dead ReLU)
 * keeps its [0, 0]: the quantizer leaves it in float rather than inventing a scale for it. Frames
 * that show nothing are the caller's to refuse (scripts/calibrate-model.ts).
 */
import * as ort from 'onnxruntime-node';
import { onnx } from 'onnx-proto';
import { AgentError } from '../../agent/core/errors.js';
import type { Ranges } from './quantize.js';

export interface CalibrationRun {
  /** The optimised fp32 model (optimiseForQuantization). */
  model: Uint8Array;
  inputName: string;
  inputDims: number[];
  /** Tensors to range (quantizationPoints). */
  tensors: string[];
  /** Outputs the caller wants to see per frame as well (e.g. to check the frames show something). */
  watch: string[];
  /**
   * Per frame, a tensor's range is taken at this percentile of its values (both tails) instead of
   * its extremes; the calibrated range is the widest over all frames. 100 = min/max.
   */
  percentile: (tensor: string) => number;
}

export const CALIBRATION_REFUSED = 'MODEL_CALIBRATION_REFUSED';

export async function collectRanges(run: CalibrationRun, frames: AsyncIterable<Float32Array> | Iterable<Float32Array>, onFrame: (watched: Record<string, ort.Tensor>) => void): Promise<{ ranges: Ranges; frames: number }> {
  const model = onnx.ModelProto.decode(run.model);
  const g = model.graph as onnx.GraphProto;
  const outputs = new Set(g.output.map((o) => o.name));
  for (const t of run.tensors) {
    if (!outputs.has(t)) g.output.push(onnx.ValueInfoProto.create({ name: t, type: { tensorType: { elemType: onnx.TensorProto.DataType.FLOAT } } }));
  }
  const session = await ort.InferenceSession.create(onnx.ModelProto.encode(model).finish(), { intraOpNumThreads: 2 });
  const lo = new Map<string, number>(run.tensors.map((t) => [t, Infinity]));
  const hi = new Map<string, number>(run.tensors.map((t) => [t, -Infinity]));
  let count = 0;
  try {
    for await (const frame of frames) {
      const out = await session.run({ [run.inputName]: new ort.Tensor('float32', frame, run.inputDims) }, [...new Set([...run.tensors, ...run.watch])]);
      for (const t of run.tensors) {
        const [mn, mx] = frameRange(out[t].data as Float32Array, run.percentile(t));
        lo.set(t, Math.min(lo.get(t) as number, mn));
        hi.set(t, Math.max(hi.get(t) as number, mx));
      }
      onFrame(Object.fromEntries(run.watch.map((w) => [w, out[w]])));
      count++;
    }
  } finally {
    await session.release();
  }
  if (count === 0) throw new AgentError(CALIBRATION_REFUSED, 'calibration got no frames', 'point it at video clips of the cameras\' scenes');
  const ranges: Ranges = {};
  for (const t of run.tensors) ranges[t] = [roundDown(lo.get(t) as number), roundUp(hi.get(t) as number)];
  return { ranges, frames: count };
}

/** Most values a percentile is taken from: an even sample of a large tensor is as good and far cheaper to sort. */
const PERCENTILE_SAMPLE = 1 << 16;

/** [low, high] of one frame's values: extremes, or the percentile of an even sample. */
export function frameRange(data: Float32Array, percentile: number): [number, number] {
  if (percentile >= 100) {
    let mn = Infinity;
    let mx = -Infinity;
    for (let i = 0; i < data.length; i++) {
      const v = data[i];
      if (v < mn) mn = v;
      if (v > mx) mx = v;
    }
    return [mn, mx];
  }
  const step = Math.max(1, Math.ceil(data.length / PERCENTILE_SAMPLE));
  const sample = new Float32Array(Math.ceil(data.length / step));
  for (let i = 0, j = 0; i < data.length; i += step) sample[j++] = data[i];
  sample.sort();
  const last = sample.length - 1;
  return [sample[Math.floor(((100 - percentile) / 100) * last)], sample[Math.ceil((percentile / 100) * last)]];
}

/** Six significant digits keep the committed file small; rounding outward never clips a seen value. */
function roundUp(v: number): number {
  const r = Number(v.toPrecision(6));
  return r >= v ? r : Number((v + Math.abs(v) * 1e-6).toPrecision(6));
}

function roundDown(v: number): number {
  return -roundUp(-v);
}
