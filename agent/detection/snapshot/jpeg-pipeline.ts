import { SNAPSHOT_QUALITY } from './render.js';

/** The snapshot JPEG process's pipeline: I420 frames in (appsrc), one JPEG out per frame (appsink). */
export const JPEG_PIPELINE = `appsrc name=src format=time ! jpegenc quality=${SNAPSHOT_QUALITY} ! appsink name=sink sync=false`;

/** Its elements, which `edge-agent diag` (gstreamer.elements) proves are installed. */
export const SNAPSHOT_ELEMENTS = ['appsrc', 'jpegenc', 'appsink'];

/** The appsrc caps for frames of a size. */
export const jpegInputCaps = (width: number, height: number): string => `video/x-raw,format=I420,width=${width},height=${height},framerate=0/1`;
