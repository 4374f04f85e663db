/**
 * Typed view of the parts of gstreamer-superficial (a native addon without type declarations) the
 * camera processes and the snapshot JPEG process use. Loaded only inside those child processes, never in
 * the agent's main process.
 * One isolate per process at most: the addon keeps its JS constructors in process-wide statics, so a
 * second worker thread loading it aborts the process (FATAL "Cannot create a handle without a
 * HandleScope", tried) — another reason cameras run in processes, not worker threads.
 */
import { createRequire } from 'node:module';

export interface GstBusMessage {
  type: string;
  _src_element_name?: string;
  /** Element path, on errors. */
  name?: string;
  /** Error text, on errors. */
  message?: string;
  debug?: string;
  [field: string]: unknown;
}

export interface GstElement {
  [property: string]: unknown;
}

export interface GstAppSink extends GstElement {
  pull(cb: (buf: Buffer | null, caps: Record<string, unknown>) => void): void;
}

export interface GstAppSrc extends GstElement {
  /** Copies the bytes into a new GstBuffer and queues it. */
  push(buf: Buffer): void;
  /** Caps as a string, e.g. `video/x-raw,format=I420,width=640,height=360,framerate=0/1`. */
  caps: string;
}

export interface GstPipeline {
  play(): void;
  pause(): void;
  stop(): void;
  sendEOS(): void;
  /** Seek to `seconds` with GstSeekFlags (FLUSH=1, SEGMENT=8). */
  seek(seconds: number, flags: number): boolean;
  findChild(name: string): GstElement | undefined;
  pollBus(cb: (msg: GstBusMessage) => void): void;
}

interface GstModule {
  Pipeline: new (launch: string) => GstPipeline;
}

export const SEEK_FLUSH = 1;
export const SEEK_SEGMENT = 8;

export function loadGstreamer(): GstModule {
  const req = createRequire(__filename);
  return req('gstreamer-superficial') as GstModule;
}
