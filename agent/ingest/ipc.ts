/** Messages between the agent and a camera process (child_process IPC, 'advanced' serialization). */
import type { CameraError } from './error-codes.js';
import type { CameraPlan } from './pipeline-plan.js';
import type { RecordingSegment } from './types.js';

export type ToCamera =
  | { type: 'start'; plan: CameraPlan; window: number }
  /** The agent has taken one frame: the process may send another (credit-based flow control). */
  | { type: 'ack' }
  /** Finish the open segment (EOS) and exit. */
  | { type: 'stop' };

export type FromCamera =
  /** The process runs and has GStreamer loaded: from here on the stall timeout applies. */
  | { type: 'loaded' }
  | { type: 'playing' }
  | { type: 'frame'; ts: number; width: number; height: number; data: Buffer }
  | { type: 'segment'; segment: RecordingSegment }
  /** A closed segment could not be given its final name: it stays a partial file (or is gone). */
  | { type: 'segment-failed'; file: string; message: string }
  /** Running totals: frames decoded at detect rate, dropped in the pipeline (appsink full), dropped for lack of credit. */
  | { type: 'counters'; decoded: number; droppedInPipeline: number; droppedNoCredit: number }
  | ({ type: 'error' } & CameraError)
  /** A file without loop reached its end. */
  | { type: 'ended' }
  | { type: 'log'; level: 'warn' | 'info'; message: string };

/** Frames the process may have in flight to the agent before it must drop. */
export const FRAME_WINDOW = 2;
