import type { ErrorTable } from '../core/error-table.js';

/** Codes of the detection stage and snapshot encoding (agent/detection/, docs/detection.md). */
export const DetectionErrorCodes = {
  DETECTION_FAILED: {
    summary: 'the detector failed on a frame; the frame is skipped and counted. Logged once per distinct code (a `DETECTOR_*` code when the detector gave one)',
    remedy: 'see docs/detector.md; `edge-agent diag`',
  },
  DETECTION_UNKNOWN_LABEL: {
    summary: '(warning when a camera starts) a tracked label (`objects.track` / `detection.labels`) is not one the model produces, so it can never make an event',
    remedy: 'use the model\'s labels (its manifest lists them), or a model that has them: the default knows the six road users only, `models/centernet-512x288.manifest.json` all 80 COCO labels at the same accuracy and about 13 % more time per inference',
  },
  SNAPSHOT_BACKLOG: {
    summary: '32 snapshots already waiting for the encoder; this one is dropped',
    remedy: 'the box is overloaded: lower `detect.fps` or the number of cameras',
  },
  SNAPSHOT_ENCODE_FAILED: {
    summary: 'GStreamer (jpegenc, in the snapshot JPEG process) stopped with an error of its own, e.g. an element missing; the snapshots waiting on it are not made (the events themselves were sent), later ones start a new process after 5 s',
    remedy: 'run `edge-agent diag`: gstreamer.elements lists jpegenc when it is missing (gstreamer1.0-plugins-good)',
  },
  SNAPSHOT_ENCODER_FAILED: {
    summary: 'the snapshot JPEG process (gst-launch-1.0) crashed, hung (no JPEG in 15 s, killed) or could not start; the snapshots waiting on it are not made, later ones start a new process after 5 s (events, cameras and the uplink are not affected)',
    remedy: 'report it with the log; `edge-agent diag` checks the GStreamer elements',
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
