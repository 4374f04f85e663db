import type { ErrorTable } from '../core/error-table.js';

/** Codes of the detection stage and snapshot encoding (agent/detection/, docs/detection.md). */
export const DetectionErrorCodes = {
  DETECTION_FAILED: {
    summary: 'the detector failed on a frame; the frame is skipped and counted. Logged once per distinct code (a `DETECTOR_*` code when the detector gave one)',
    remedy: 'see docs/detector.md; `edge-agent diag`',
  },
  DETECTION_UNKNOWN_LABEL: {
    summary: '(warning when a camera starts) a tracked label (`objects.track` / `detection.labels`) is not one the model produces, so it can never make an event',
    remedy: 'use the model\'s labels (its manifest lists them)',
  },
  SNAPSHOT_BACKLOG: {
    summary: '32 snapshots already waiting for the encoder; this one is dropped',
    remedy: 'the box is overloaded: lower `detect.fps` or the number of cameras',
  },
  SNAPSHOT_ENCODE_FAILED: {
    summary: 'the worker could not make the JPEG; it is made on the main thread instead (the event itself was sent either way)',
    remedy: 'report it; a new worker starts on the next snapshot',
  },
  SNAPSHOT_WORKER_FAILED: {
    summary: 'the snapshot worker crashed or exited; the JPEG is made on the main thread instead (the event itself was sent either way)',
    remedy: 'report it; a new worker starts on the next snapshot',
  },
  SNAPSHOT_CLOSED: {
    summary: 'a snapshot asked of the encoder after it was closed (shutdown)',
    remedy: '—',
  },
  SNAPSHOT_FAILED: {
    summary: 'a snapshot could not be made for a reason without its own code (logged, the event itself was sent)',
    remedy: 'the message says why; report it if it repeats',
  },
} as const satisfies ErrorTable;
