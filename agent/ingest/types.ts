/** What the ingest subsystem gives the rest of the agent. */

export type CameraState = 'streaming' | 'connecting' | 'offline' | 'disabled';

/** A decoded frame at the camera's detect size, planar I420 (Y plane first: motion reads luma directly). */
export interface VideoFrame {
  cameraId: string;
  /** Frame counter of this camera, from 0 for each agent run. */
  seq: number;
  /** Wall-clock capture time, ms since the epoch. */
  ts: number;
  width: number;
  height: number;
  format: 'I420';
  data: Buffer;
}

export interface CameraStats {
  state: CameraState;
  fpsIn: number;
  dropped: number;
  reconnects: number;
  lastFrameAgeMs: number | null;
  decoder: string;
  /** Closed recording segments that could not be renamed to `<startMs>_<endMs>.ts` (CAMERA_SEGMENT_RENAME_FAILED). */
  segmentRenameFailures: number;
  lastError?: { code: string; message: string };
}

/** One closed recording segment file holding the camera's encoded stream. */
export interface RecordingSegment {
  cameraId: string;
  path: string;
  startTs: number;
  endTs: number;
  bytes: number;
}
