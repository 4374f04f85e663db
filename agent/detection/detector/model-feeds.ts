import * as ort from 'onnxruntime-node';
import type { PixelBox } from '../types.js';
import { regionPlanes } from './i420-crop.js';
import { i420RegionToTensor, type I420Source } from './preprocess.js';
import type { InputFeed, ModelSize } from './worker-protocol.js';

/**
 * The float tensor's buffer, kept from call to call (3 MB for a 512x512 model): one session runs one
 * region at a time, and a fresh buffer per region would be mapped, faulted in and unmapped each frame.
 */
let floatBuffer: Float32Array | undefined;

/**
 * The model's inputs for one region of an I420 frame: its planes as they are (views of the frame
 * when the region is the whole frame) and, for a model that takes windows, the size to resize them to
 * (`size`: the region's model size), for a model with its preprocessing in the graph; else the float
 * tensor cropped, resized and normalised here (valid until the next call).
 */
export function modelFeeds(frame: I420Source, region: PixelBox, input: InputFeed, size: ModelSize): Record<string, ort.Tensor> {
  if (input.format === 'i420') {
    const p = regionPlanes(frame, region);
    return {
      [input.yName]: new ort.Tensor('uint8', p.y, [1, 1, p.height, p.width]),
      [input.uvName]: new ort.Tensor('uint8', p.uv, [1, 2, p.height / 2, p.width / 2]),
      ...(input.sizeName ? { [input.sizeName]: new ort.Tensor('int64', BigInt64Array.from([BigInt(size.height), BigInt(size.width)]), [2]) } : {}),
    };
  }
  const { width: W, height: H, layout } = input.spec;
  if (floatBuffer?.length !== W * H * 3) floatBuffer = new Float32Array(W * H * 3);
  const tensor = i420RegionToTensor(frame, region, input.spec, floatBuffer);
  return { [input.name]: new ort.Tensor('float32', tensor, layout === 'NHWC' ? [1, H, W, 3] : [1, 3, H, W]) };
}
