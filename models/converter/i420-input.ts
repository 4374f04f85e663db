/**
 * Moves the detector's preprocessing into the model (issue 14 item 4): the model takes the frame's
 * I420 bytes as they are — luma `y` uint8 [1,1,h,w] and the two chroma planes U then V `uv` uint8
 * [1,2,h/2,w/2], of any even size — and onnxruntime does what agent/detection/detector/preprocess.ts
 * did in JavaScript:
 *
 *   Cast → Resize to `size` (luma: TF-style "asymmetric" bilinear, the sampling the
 *   CenterNet scores were measured with; chroma: half-pixel, at the centre of the 2×2 luma block it
 *   covers) → Concat → Sub (16, 128, 128) → the model's first convolution, its weights multiplied by
 *   the BT.601 YUV→RGB matrix.
 *
 * Folding the colour conversion into the first convolution makes it free: as a convolution of its own
 * (3 channels in, 3 out) onnxruntime ran it in its blocked layout at 1.3 ms, a tenth of the model.
 * The offsets are subtracted before the convolution so that its zero padding is still black. What the
 * fold leaves out is the clip to 0..255: a saturated colour reaches the model a little past the range
 * (scores move by 0.02 on frames of the shared clips, within 0.05 on photos and crops: i420-input.test.ts).
 *
 * `size` (int64 [h, w]) is the model's own W×H for a whole frame, and a window of the frame gets its
 * share of it: the network is convolutional throughout (its upsamplings are scales, ops.ts), so a
 * window at the whole frame's scale costs in proportion to its area (docs/detector.md, "Windows").
 */
import { onnx } from 'onnx-proto';
import { BT601_LIMITED } from '../../agent/detection/image/i420.js';
import { OnnxGraphBuilder } from './onnx-graph.js';

export const I420_Y_INPUT = 'y';
export const I420_UV_INPUT = 'uv';
/** int64 [2]: the height and width the planes are resized to, in model pixels (a multiple of the network's stride). */
export const I420_SIZE_INPUT = 'size';

export interface I420InputOptions {
  /** The model's float RGB input (NHWC, 0–255, no normalisation: what the CenterNet graph takes). */
  inputName: string;
}

/**
 * Returns the model with I420 inputs in place of `inputName`. The float input must feed exactly one
 * NHWC→NCHW Transpose feeding one Conv with constant weights (the converter's own graphs), or this
 * throws: anything else would need the colour conversion as a node of its own.
 */
export function withI420Input(modelBytes: Uint8Array, o: I420InputOptions): Uint8Array {
  const model = onnx.ModelProto.decode(modelBytes);
  const graph = model.graph;
  if (!graph?.node || !graph.input || !graph.initializer) throw new Error('model has no graph');
  const nodes = graph.node;
  const readers = (name: string): onnx.INodeProto[] => nodes.filter((n) => n.input?.includes(name));
  const [toNchw, ...more] = readers(o.inputName);
  const perm = toNchw?.attribute?.find((a) => a.name === 'perm')?.ints?.map(Number);
  if (!toNchw || more.length > 0 || toNchw.opType !== 'Transpose' || perm?.join() !== '0,3,1,2') {
    throw new Error(`input "${o.inputName}" must feed one NHWC→NCHW Transpose`);
  }
  const nchw = toNchw.output?.[0] ?? '';
  const [conv, ...others] = readers(nchw);
  if (!conv || others.length > 0 || conv.opType !== 'Conv' || conv.input?.[0] !== nchw) throw new Error(`"${nchw}" must feed one Conv`);
  const weights = graph.initializer.find((t) => t.name === conv.input?.[1]);
  if (!weights?.rawData || weights.dataType !== onnx.TensorProto.DataType.FLOAT || Number(weights.dims?.[1]) !== 3) {
    throw new Error(`Conv "${conv.name}" must have float32 weights with 3 input channels`);
  }
  weights.rawData = foldColourMatrix(weights.rawData, weights.dims?.map(Number) ?? []);

  const g = new OnnxGraphBuilder();
  const p = (n: string): string => `i420_input/${n}`;
  const FLOAT = onnx.TensorProto.DataType.FLOAT;
  g.node('Cast', [I420_Y_INPUT], [p('y_f')], p('cast_y'), { to: FLOAT });
  g.node('Cast', [I420_UV_INPUT], [p('uv_f')], p('cast_uv'), { to: FLOAT });
  g.node('Concat', [g.constant(p('y_batch_channels'), 'int64', [2], [1, 1]), I420_SIZE_INPUT], [p('y_size')], p('y_size'), { axis: 0 });
  g.node('Concat', [g.constant(p('uv_batch_channels'), 'int64', [2], [1, 2]), I420_SIZE_INPUT], [p('uv_size')], p('uv_size'), { axis: 0 });
  g.node('Resize', [p('y_f'), '', '', p('y_size')], [p('y_s')], p('resize_y'),
    { mode: 'linear', coordinate_transformation_mode: 'asymmetric' });
  g.node('Resize', [p('uv_f'), '', '', p('uv_size')], [p('uv_s')], p('resize_uv'),
    { mode: 'linear', coordinate_transformation_mode: 'half_pixel' });
  g.node('Concat', [p('y_s'), p('uv_s')], [p('yuv')], p('concat'), { axis: 1 });
  g.node('Sub', [p('yuv'), g.constant(p('offset'), 'float32', [1, 3, 1, 1], BT601_LIMITED.offset)], [nchw], p('centre'));
  const prologue = onnx.ModelProto.decode(g.encode('i420-input', 'edge-agent', '')).graph;

  graph.input.splice(graph.input.findIndex((i) => i.name === o.inputName), 1, planeInput(I420_Y_INPUT, 1), planeInput(I420_UV_INPUT, 2), sizeInput());
  // The outputs' spatial size follows `size` (NHWC heads: H and W).
  for (const out of graph.output ?? []) {
    const dims = out.type?.tensorType?.shape?.dim;
    if (dims?.length === 4) [1, 2].forEach((d) => { dims[d] = { dimParam: `${out.name}_${d === 1 ? 'height' : 'width'}` }; });
  }
  graph.node = [...(prologue?.node ?? []), ...nodes.filter((n) => n !== toNchw)];
  graph.initializer = [...(prologue?.initializer ?? []), ...graph.initializer];
  return onnx.ModelProto.encode(model).finish();
}

/** Conv weights [O,3,kh,kw] over RGB → the same over centred YUV: w'[o,j] = Σc w[o,c] · matrix[c][j]. */
function foldColourMatrix(raw: Uint8Array, dims: number[]): Uint8Array {
  const w = new Float32Array(Uint8Array.from(raw).buffer);
  const [outChannels, , kh, kw] = dims;
  const k = kh * kw;
  const folded = new Float32Array(w.length);
  for (let oc = 0; oc < outChannels; oc++) {
    for (let j = 0; j < 3; j++) {
      for (let i = 0; i < k; i++) {
        let s = 0;
        for (let c = 0; c < 3; c++) s += w[(oc * 3 + c) * k + i] * BT601_LIMITED.matrix[c][j];
        folded[(oc * 3 + j) * k + i] = s;
      }
    }
  }
  return new Uint8Array(folded.buffer);
}

function sizeInput(): onnx.IValueInfoProto {
  return { name: I420_SIZE_INPUT, type: { tensorType: { elemType: onnx.TensorProto.DataType.INT64, shape: { dim: [{ dimValue: 2 }] } } } };
}

function planeInput(name: string, channels: number): onnx.IValueInfoProto {
  const dims = [{ dimValue: 1 }, { dimValue: channels }, { dimParam: `${name}_height` }, { dimParam: `${name}_width` }];
  return { name, type: { tensorType: { elemType: onnx.TensorProto.DataType.UINT8, shape: { dim: dims } } } };
}
