import type { ErrorTable } from '../core/error-table.js';
import type { ReportedErrorCode } from '../core/errors.js';

/**
 * Codes of camera ingest (agent/ingest/): what a camera reports in stats().lastError and
 * camera.state, and what a technician should check (docs/ingest.md).
 */
export const IngestErrorCodes = {
  CAMERA_UNREACHABLE: {
    summary: 'connection refused, timed out, host unknown',
    remedy: 'camera power, address/port, network, firewall',
  },
  CAMERA_AUTH_FAILED: {
    summary: 'the camera answered 401',
    remedy: '`username`/`password` (and that the secret resolves)',
  },
  CAMERA_STALLED: {
    summary: 'no frame for `stallTimeoutSeconds` (or none after connecting)',
    remedy: 'camera overloaded, network loss, wrong stream path',
  },
  CAMERA_STREAM_CORRUPT: {
    summary: 'the data is not a video stream GStreamer can parse/decode',
    remedy: 'the file/stream itself; try it with gst-launch-1.0',
  },
  CAMERA_STREAM_ENDED: {
    summary: 'a file without `loop` ended (state `offline`, no retry), or the camera closed the stream',
    remedy: 'set `loop`, or check the camera',
  },
  CAMERA_CODEC_UNSUPPORTED: {
    summary: 'codec the chosen decoder/pipeline cannot handle (e.g. H.265 over RTSP)',
    remedy: 'set the camera to H.264',
  },
  CAMERA_SOURCE_NOT_FOUND: {
    summary: 'file, V4L2 device or RTSP path (404) does not exist',
    remedy: 'path/device/URL',
  },
  CAMERA_ONVIF_RESOLVE_FAILED: {
    summary: 'the ONVIF camera did not give a stream URL for a reason the resolver has no code for (its own `ONVIF_*` codes, e.g. `ONVIF_UNREACHABLE`, pass through)',
    remedy: 'ONVIF host/port/credentials/profile',
  },
  CAMERA_CONFIG_UNUSABLE: {
    summary: 'the camera\'s settings could not be turned into a pipeline (e.g. a secret file missing; secret errors keep their own codes, `SECRET_ENV_MISSING`, `SECRET_FILE_UNREADABLE`)',
    remedy: 'the message names it',
  },
  CAMERA_PROCESS_CRASHED: {
    summary: 'the camera process died without reporting (native crash) or never started',
    remedy: 'logs; it is respawned',
  },
  CAMERA_RECORDING_FAILED: {
    summary: 'the segment writer failed (disk full, permissions)',
    remedy: '`dataDir` disk space and rights',
  },
  CAMERA_SEGMENT_RENAME_FAILED: {
    summary: 'a closed recording segment could not be renamed to `<startMs>_<endMs>.ts` (its folder removed or read-only, storage failing): clips and retention do not see it; logged with the file, counted in `health.cameras.<id>.segmentRenameFailures`. A partial file still there is recovered at the camera\'s next start',
    remedy: 'check `dataDir/recordings/<camera>/`: that it exists, is writable and the storage is healthy',
  },
  CAMERA_ZYGOTE_FAILED: {
    summary: 'the camera zygote (the process cameras are forked from, docs/ingest.md) could not start, or ended: before it listened, cameras run as plain `gst-launch-1.0` (more memory per camera); after, its cameras restart with a new one',
    remedy: 'the log line holds its stderr; re-run `scripts/setup.sh` (builds `dist/bin/edge-camera-zygote`); `EDGE_CAMERA_ZYGOTE=0` switches it off',
  },
  CAMERA_PIPELINE_FAILED: {
    summary: 'any other GStreamer error',
    remedy: 'the message holds GStreamer\'s text',
  },
  GST_ELEMENT_MISSING: {
    summary: 'a GStreamer element is not installed (also: a forced hardware decoder the box lacks)',
    remedy: '`scripts/setup.sh` packages; decoder setting',
  },
  GST_PIPELINE_TEMPLATES_MISSING: {
    summary: 'the `pipelines/` folder is not beside the agent',
    remedy: 'reinstall the agent package',
  },
  GST_PIPELINE_TEMPLATE_INVALID: {
    summary: 'a pipeline template needs a value the camera\'s settings do not give (a `{{key}}` left unfilled)',
    remedy: 'a packaging bug: reinstall the agent package, and report it if it stays',
  },
} as const satisfies ErrorTable;

/** Short names for the camera codes, as the ingest code refers to them. */
export const CameraErrorCode = {
  UNREACHABLE: 'CAMERA_UNREACHABLE',
  AUTH_FAILED: 'CAMERA_AUTH_FAILED',
  STALLED: 'CAMERA_STALLED',
  STREAM_CORRUPT: 'CAMERA_STREAM_CORRUPT',
  STREAM_ENDED: 'CAMERA_STREAM_ENDED',
  CODEC_UNSUPPORTED: 'CAMERA_CODEC_UNSUPPORTED',
  SOURCE_NOT_FOUND: 'CAMERA_SOURCE_NOT_FOUND',
  ONVIF_RESOLVE_FAILED: 'CAMERA_ONVIF_RESOLVE_FAILED',
  CONFIG_UNUSABLE: 'CAMERA_CONFIG_UNUSABLE',
  PROCESS_CRASHED: 'CAMERA_PROCESS_CRASHED',
  RECORDING_FAILED: 'CAMERA_RECORDING_FAILED',
  SEGMENT_RENAME_FAILED: 'CAMERA_SEGMENT_RENAME_FAILED',
  PIPELINE_FAILED: 'CAMERA_PIPELINE_FAILED',
  ZYGOTE_FAILED: 'CAMERA_ZYGOTE_FAILED',
  ELEMENT_MISSING: 'GST_ELEMENT_MISSING',
} as const satisfies Record<string, keyof typeof IngestErrorCodes>;
export type CameraErrorCode = (typeof CameraErrorCode)[keyof typeof CameraErrorCode];

export interface CameraError {
  code: ReportedErrorCode;
  message: string;
}
