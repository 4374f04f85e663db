/** The agent's typed events: the narrow waist between subsystems. */
import type { CameraState, RecordingSegment, VideoFrame } from '../ingest/types.js';
import type { LineCountReport, ObjectEvent, Snapshot } from './object-event.js';

export interface AgentEvents {
  /** A decoded detect-size frame (I420) from a camera. */
  'camera.frame': VideoFrame;
  'camera.state': { cameraId: string; state: CameraState; error?: { code: string; message: string } };
  /** A closed recording segment (encoded stream, no re-encode) on local storage. */
  'camera.segment': RecordingSegment;
  /** An object event (start/update/end), before it is numbered and queued for the uplink. */
  'detection.event': ObjectEvent;
  /** The best frame of an event with its box drawn. */
  'detection.snapshot': Snapshot;
  /** One interval's counts of one camera line (cameras[].lines), for the uplink's `counts` topic. */
  'detection.counts': LineCountReport;
}
