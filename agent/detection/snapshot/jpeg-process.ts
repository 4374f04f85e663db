/**
 * The snapshot JPEG process (spawned by SnapshotEncoder): `appsrc ! jpegenc ! appsink` through
 * gstreamer-superficial, one pipeline kept PLAYING per frame size and reused, one encode at a time.
 *
 * Why a process of its own: the addon must never load in the agent's process (its statics abort a
 * second isolate, every pending pull holds a libuv pool thread), and a native crash here loses a
 * snapshot, never the uplink, the outbox or a camera. Frames come with the boxes already drawn.
 */
import { loadGstreamer, type GstAppSink, type GstAppSrc, type GstPipeline } from '../../ingest/gst-binding.js';
import { MessageReader, REPLY_ERROR, REPLY_OK, REQUEST_FIELDS, writeMessage } from './jpeg-protocol.js';
import { JPEG_PIPELINE, jpegInputCaps } from './jpeg-pipeline.js';
import { gstI420Layout } from './render.js';

interface Job {
  id: number;
  width: number;
  height: number;
  data: Buffer;
}

interface Encoder {
  width: number;
  height: number;
  pipeline: GstPipeline;
  src: GstAppSrc;
  sink: GstAppSink;
}

const gst = loadGstreamer();
const queue: Job[] = [];
let current: Encoder | undefined;
let busy = false;

function encoderFor(width: number, height: number): Encoder {
  if (current && current.width === width && current.height === height) return current;
  current?.pipeline.stop();
  current = undefined;
  const pipeline = new gst.Pipeline(JPEG_PIPELINE);
  const src = pipeline.findChild('src') as GstAppSrc;
  src.caps = jpegInputCaps(width, height);
  pipeline.play();
  current = { width, height, pipeline, src, sink: pipeline.findChild('sink') as GstAppSink };
  return current;
}

function reply(id: number, status: number, payload: Uint8Array): void {
  writeMessage(process.stdout, [id, status], payload);
}

function next(): void {
  const job = queue.shift();
  if (!job) return;
  busy = true;
  const done = (status: number, payload: Uint8Array): void => {
    reply(job.id, status, payload);
    busy = false;
    next();
  };
  try {
    const expected = gstI420Layout(job.width, job.height).size;
    if (job.data.length !== expected) throw new Error(`frame of ${job.data.length} bytes, ${job.width}x${job.height} I420 needs ${expected}`);
    const enc = encoderFor(job.width, job.height);
    enc.src.push(job.data);
    enc.sink.pull((buf) => (buf ? done(REPLY_OK, buf) : done(REPLY_ERROR, Buffer.from('jpegenc gave no picture (pipeline stopped)'))));
  } catch (err) {
    done(REPLY_ERROR, Buffer.from(err instanceof Error ? err.message : String(err)));
  }
}

const reader = new MessageReader(REQUEST_FIELDS, ([id, width, height], data) => {
  queue.push({ id, width, height, data });
  if (!busy) next();
});
process.stdin.on('data', (chunk: Buffer) => reader.push(chunk));
// The agent closed our stdin (stopped or died): leave, whatever native pull may still be pending.
process.stdin.on('end', () => {
  current?.pipeline.stop();
  process.exit(0);
});
