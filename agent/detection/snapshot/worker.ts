/** Worker thread: encodes snapshot JPEGs (jpeg-js is pure JS and takes 50-500 ms a frame). */
import { parentPort } from 'node:worker_threads';
import { renderSnapshot } from './render.js';
import type { SnapshotJob, SnapshotReply } from './encoder.js';

parentPort?.on('message', (job: SnapshotJob) => {
  let reply: SnapshotReply;
  try {
    const jpeg = renderSnapshot({ width: job.width, height: job.height, data: job.data }, job.boxes);
    reply = { id: job.id, jpeg: new Uint8Array(jpeg.buffer, jpeg.byteOffset, jpeg.byteLength) };
  } catch (err) {
    reply = { id: job.id, error: err instanceof Error ? err.message : String(err) };
  }
  parentPort?.postMessage(reply);
});
