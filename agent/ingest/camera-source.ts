import type { CameraSource } from '../config/schema/index.js';
import { redactUrlCredentials } from '../config/secrets.js';

/** Where the camera's video comes from, for error messages (never with credentials). */
export function describeSource(source: CameraSource): string {
  switch (source.kind) {
    case 'rtsp':
      return redactUrlCredentials(source.url);
    case 'file':
      return source.path;
    case 'onvif':
      return `onvif ${source.host}:${source.port}`;
    case 'v4l2':
      return source.device;
    default:
      return `test pattern ${source.pattern}`;
  }
}

/**
 * Whether the camera's pipeline holds credentials (rtsp/onvif user or password, also written into
 * an rtsp URL): such a camera runs the Node launcher, not gst-launch-1.0 (camera-launch.ts).
 */
export function sourceHoldsCredentials(source: CameraSource): boolean {
  if (source.kind === 'rtsp') return source.username !== undefined || source.password !== undefined || /^rtsps?:\/\/.*@/.test(source.url);
  return source.kind === 'onvif' && (source.username !== undefined || source.password !== undefined);
}
