/** Messages between the detector service and its inference worker thread. */
import type { PixelBox } from '../types.js';
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

/** One job: the I420 frame (a copy, transferred) and the region to crop, resize and infer. */
export interface RunRequest {
  id: number;
  inputName: string;
  outputName: string;
  frame: { width: number; height: number; data: Uint8Array };
  region: PixelBox;
  spec: InputSpec;
}

export type WorkerMessage =
  | { type: 'ready'; inputs: ValueInfo[]; outputs: ValueInfo[] }
  | { type: 'load-error'; message: string }
  | { type: 'result'; id: number; data: Float32Array; dims: number[]; ms: number; preprocessMs: number }
  | { type: 'run-error'; id: number; message: string };
