/**
 * Activation ranges for static quantization: the optimised fp32 model runs on real frames with
 * every tensor to quantize exposed as an output, and each tensor's [min, max] over all frames is
 * kept (onnxruntime's MinMax calibration method). A tensor that is 0 on every frame (a dead ReLU)
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
        const data = out[t].data as Float32Array;
        let mn = lo.get(t) as number;
        let mx = hi.get(t) as number;
        for (let i = 0; i < data.length; i++) {
          const v = data[i];
          if (v < mn) mn = v;
          if (v > mx) mx = v;
        }
        lo.set(t, mn);
        hi.set(t, mx);
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

/** Six significant digits keep the committed file small; rounding outward never clips a seen value. */
function roundUp(v: number): number {
  const r = Number(v.toPrecision(6));
  return r >= v ? r : Number((v + Math.abs(v) * 1e-6).toPrecision(6));
}

function roundDown(v: number): number {
  return -roundUp(-v);
}
