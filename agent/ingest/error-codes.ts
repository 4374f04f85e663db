/**
 * Error codes a camera reports in stats().lastError and camera.state (docs/ingest.md lists them with
 * what a technician should check).
 */
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
  PIPELINE_FAILED: 'CAMERA_PIPELINE_FAILED',
  ELEMENT_MISSING: 'GST_ELEMENT_MISSING',
} as const;
export type CameraErrorCode = (typeof CameraErrorCode)[keyof typeof CameraErrorCode];

export interface CameraError {
  code: string;
  message: string;
}
