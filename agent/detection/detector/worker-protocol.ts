/** Messages between the detector service and its inference worker thread. */
import type { PixelBox } from '../types.js';
import type { DecodeOptions, DecoderName, RawDetection } from './decoders.js';
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

/**
 * One job: one I420 frame (a copy, transferred) and every region of it to crop, resize and infer,
 * so a frame crosses the thread boundary once however many regions it has.
 */
export interface RunRequest {
  id: number;
  inputName: string;
  outputName: string;
  frame: { width: number; height: number; data: Uint8Array };
  regions: readonly PixelBox[];
  spec: InputSpec;
  /** Decoded in the worker: a heads output is megabytes, its detections a few hundred bytes. */
  decoder: DecoderName;
  decode: DecodeOptions;
}

/** One region's decoded model output (model-input pixels), in the request's region order. */
export interface RegionOutput {
  raw: RawDetection[];
  /** Time inside session.run, in the worker. */
  ms: number;
  /** Crop + resize + normalise, in the worker. */
  preprocessMs: number;
}

export type WorkerMessage =
  | { type: 'ready'; inputs: ValueInfo[]; outputs: ValueInfo[] }
  | { type: 'load-error'; message: string }
  | { type: 'result'; id: number; outputs: RegionOutput[] }
  | { type: 'run-error'; id: number; message: string };
