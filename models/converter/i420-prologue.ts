/**
 * Moves the detector's preprocessing into the model (issue 14 item 4): a prologue that takes a
 * uint8 I420 crop of any size — its luma plane `y` [1,1,h,w] and its two chroma planes `uv`
 * [1,2,h/2,w/2], exactly the bytes of the frame's rows — and does, inside onnxruntime, what
 * agent/detection/detector/preprocess.ts does in JavaScript:
 *
 *   Cast → Resize to S×S (luma: TF-style "asymmetric" bilinear, the sampling the CenterNet scores
 *   were measured with; chroma: half-pixel, i.e. sampled at the centre of the 2×2 luma block it
 *   covers) → Concat → 1×1 Conv (BT.601 limited range YUV → RGB, channel order folded into the
 *   weights) → Clip 0..255 → (Mul/Add when the manifest normalises) → Transpose to NHWC
 *
 * and feeds the result to the original graph in place of its float input. The inference worker
 * then only copies rows of bytes (agent/detection/detector/i420-crop.ts).
 */
import { onnx } from 'onnx-proto';
import type { InputSpec } from '../../agent/detection/detector/preprocess.js';
import { OnnxGraphBuilder } from './onnx-graph.js';

export const I420_Y_INPUT = 'y';
export const I420_UV_INPUT = 'uv';

/** The float input the prologue replaces, described as the manifest describes it. */
export interface PrologueOptions extends Omit<InputSpec, 'width' | 'height'> {
  /** The float input tensor ([1,S,S,3] NHWC or [1,3,S,S] NCHW), no longer a graph input afterwards. */
  inputName: string;
  size: number;
}

/** BT.601 limited range, as preprocess.ts: rows R, G, B over (Y, U, V), and the offsets. */
const YUV_TO_RGB = [
  [1.164, 0, 1.596],
  [1.164, -0.392, -0.813],
  [1.164, 2.017, 0],
];
const YUV_OFFSET = [16, 128, 128];

/** Returns the model with the prologue in front of `opts.inputName`, which stops being an input. */
export function addI420Prologue(modelBytes: Uint8Array, opts: PrologueOptions): Uint8Array {
  const model = onnx.ModelProto.decode(modelBytes);
  const graph = model.graph;
  if (!graph) throw new Error('model has no graph');
  const inputs = graph.input ?? [];
  const at = inputs.findIndex((i) => i.name === opts.inputName);
  if (at < 0) throw new Error(`model has no input "${opts.inputName}"`);
  const prologue = onnx.ModelProto.decode(prologueGraph(opts)).graph;
  if (!prologue) throw new Error('prologue has no graph');
  inputs.splice(at, 1, uint8Input(I420_Y_INPUT, 1), uint8Input(I420_UV_INPUT, 2));
  graph.input = inputs;
  graph.node = [...(prologue.node ?? []), ...(graph.node ?? [])];
  graph.initializer = [...(prologue.initializer ?? []), ...(graph.initializer ?? [])];
  return onnx.ModelProto.encode(model).finish();
}

function prologueGraph(o: PrologueOptions): Uint8Array {
  const g = new OnnxGraphBuilder();
  const p = (n: string): string => `i420_prologue/${n}`;
  const S = o.size;
  g.node('Cast', [I420_Y_INPUT], [p('y_f')], p('cast_y'), { to: onnx.TensorProto.DataType.FLOAT });
  g.node('Cast', [I420_UV_INPUT], [p('uv_f')], p('cast_uv'), { to: onnx.TensorProto.DataType.FLOAT });
  g.node('Resize', [p('y_f'), '', '', g.constant(p('y_size'), 'int64', [4], [1, 1, S, S])], [p('y_s')], p('resize_y'),
    { mode: 'linear', coordinate_transformation_mode: 'asymmetric' });
  g.node('Resize', [p('uv_f'), '', '', g.constant(p('uv_size'), 'int64', [4], [1, 2, S, S])], [p('uv_s')], p('resize_uv'),
    { mode: 'linear', coordinate_transformation_mode: 'half_pixel' });
  g.node('Concat', [p('y_s'), p('uv_s')], [p('yuv')], p('concat'), { axis: 1 });
  // Model channel k reads RGB row k, or row 2-k for BGR; bias = -(row · offset).
  const rows = [0, 1, 2].map((k) => YUV_TO_RGB[o.channels === 'BGR' ? 2 - k : k]);
  const bias = rows.map((r) => -r.reduce((s, c, i) => s + c * YUV_OFFSET[i], 0));
  g.node('Conv', [p('yuv'), g.constant(p('yuv2rgb_w'), 'float32', [3, 3, 1, 1], rows.flat()), g.constant(p('yuv2rgb_b'), 'float32', [3], bias)],
    [p('rgb_raw')], p('yuv2rgb'), { kernel_shape: [1, 1] });
  g.node('Clip', [p('rgb_raw'), g.constant(p('zero'), 'float32', [], [0]), g.constant(p('full'), 'float32', [], [255])], [p('rgb')], p('clip'));
  let last = p('rgb');
  const mul = [0, 1, 2].map((k) => o.scale / o.std[k]);
  const add = [0, 1, 2].map((k) => -o.mean[k] / o.std[k]);
  if (mul.some((m) => m !== 1) || add.some((a) => a !== 0)) {
    g.node('Mul', [last, g.constant(p('norm_mul'), 'float32', [1, 3, 1, 1], mul)], [p('scaled')], p('norm_scale'));
    g.node('Add', [p('scaled'), g.constant(p('norm_add'), 'float32', [1, 3, 1, 1], add)], [p('normalised')], p('norm_shift'));
    last = p('normalised');
  }
  if (o.layout === 'NHWC') g.node('Transpose', [last], [o.inputName], p('to_nhwc'), { perm: [0, 2, 3, 1] });
  else g.node('Identity', [last], [o.inputName], p('out'));
  return g.encode('i420-prologue', 'edge-agent', '');
}

function uint8Input(name: string, channels: number): onnx.IValueInfoProto {
  const dims: onnx.TensorShapeProto.IDimension[] = [{ dimValue: 1 }, { dimValue: channels }, { dimParam: `${name}_h` }, { dimParam: `${name}_w` }];
  return { name, type: { tensorType: { elemType: onnx.TensorProto.DataType.UINT8, shape: { dim: dims } } } };
}
