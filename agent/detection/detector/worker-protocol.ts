/** Messages between the detector service and its inference worker thread. */

export interface WorkerInit {
  modelPath: string;
  threads: number;
}

export interface ValueInfo {
  name: string;
  /** Static dims as numbers; dynamic dims as their symbolic names. */
  dims: (number | string)[];
}

export interface RunRequest {
  id: number;
  inputName: string;
  outputName: string;
  input: Float32Array;
  dims: number[];
}

export type WorkerMessage =
  | { type: 'ready'; inputs: ValueInfo[]; outputs: ValueInfo[] }
  | { type: 'load-error'; message: string }
  | { type: 'result'; id: number; data: Float32Array; dims: number[]; ms: number }
  | { type: 'run-error'; id: number; message: string };
