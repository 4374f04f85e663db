/** Messages between the detector service and its inference worker thread. */
import type { PixelBox } from '../types.js';
import type { DecodeOptions, DecoderName, RawDetection } from './decoders.js';
import type { LoadedManifest } from './manifest.js';
import type { InputSpec } from './preprocess.js';

export interface WorkerInit {
  modelPath: string;
  threads: number;
}

export interface ValueInfo {
  name: string;
  /** Static dims as numbers; dynamic dims as their symbolic names. */
  dims: (number | string)[];
}

/** How the worker feeds a region to the model (the manifest's input.format). */
export type InputFeed =
  /** Cropped, resized and normalised into one float tensor here, in JavaScript. */
  | { format: 'float'; name: string; spec: InputSpec }
  /**
   * The region's uint8 I420 planes as they are (regions even-aligned); the graph does the rest. With
   * `sizeName` the graph resizes them to the size it is given (the region's model size), else to its own.
   */
  | { format: 'i420'; yName: string; uvName: string; sizeName?: string };

/** Model pixels: what a region is resized to (the model's input size, or a window's share of it). */
export interface ModelSize {
  width: number;
  height: number;
}

/**
 * One job: one I420 frame (a copy, transferred) and every region of it to infer,
 * so a frame crosses the thread boundary once however many regions it has.
 */
export interface RunRequest {
  id: number;
  input: InputFeed;
  outputName: string;
  frame: { width: number; height: number; data: Uint8Array };
  regions: readonly PixelBox[];
  /** Each region's model size, in the order of `regions`. */
  sizes: readonly ModelSize[];
  /** Decoded in the worker (inputWidth/inputHeight: each region's model size): a heads output is megabytes, its detections a few hundred bytes. */
  decoder: DecoderName;
  decode: DecodeOptions;
}

/** One region's decoded model output (model-input pixels), in the request's region order. */
export interface RegionOutput {
  raw: RawDetection[];
  /** Time inside session.run, in the worker. */
  ms: number;
  /** Crop + resize + normalise (an i420 model: the crop's rows copied, or nothing for the whole frame), in the worker. */
  preprocessMs: number;
}

export type WorkerMessage =
  | { type: 'ready'; inputs: ValueInfo[]; outputs: ValueInfo[] }
  | { type: 'load-error'; message: string }
  | { type: 'result'; id: number; outputs: RegionOutput[] }
  | { type: 'run-error'; id: number; message: string };

/** How a region reaches the model, from the manifest's input.format. */
export function inputFeed(m: LoadedManifest): InputFeed {
  const { name, format, uvName, sizeName, width, height, layout, channels, scale, mean, std } = m.input;
  return format === 'i420' && uvName
    ? { format, yName: name, uvName, ...(sizeName ? { sizeName } : {}) }
    : { format: 'float', name, spec: { width, height, layout, channels, scale, mean, std } };
}
