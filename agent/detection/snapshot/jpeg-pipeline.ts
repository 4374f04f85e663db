import { SNAPSHOT_QUALITY } from './render.js';

/**
 * The snapshot JPEG process: `gst-launch-1.0` with I420 frames in on stdin and one JPEG out per frame
 * on stdout, both as GDP packets (agent/core/gdp*.ts: whole buffers, and caps when the frame size
 * changes, over a byte pipe). No V8 and no binding: a bare GStreamer of a few MB.
 */
export const JPEG_LAUNCH_ARGS = ['-q', 'fdsrc', 'fd=0', '!', 'gdpdepay', '!', 'jpegenc', `quality=${SNAPSHOT_QUALITY}`, '!', 'gdppay', '!', 'fdsink', 'fd=1', 'sync=false'];

/** Its elements, which `edge-agent diag` (gstreamer.elements) proves are installed. */
export const SNAPSHOT_ELEMENTS = ['fdsrc', 'gdpdepay', 'jpegenc', 'gdppay', 'fdsink'];

/** The caps of frames of a size, in GStreamer's default I420 layout (render.ts gstI420Layout). */
export const jpegInputCaps = (width: number, height: number): string => `video/x-raw,format=I420,width=${width},height=${height},framerate=0/1`;
