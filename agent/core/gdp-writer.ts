/**
 * Writer for the GStreamer Data Protocol (GDP 1.0, what `gdpdepay` reads; gdp.ts reads it back):
 * how the agent hands a `gst-launch-1.0` child whole buffers of changing formats over one pipe
 * (`fdsrc fd=0 ! gdpdepay ! ...`). A stream is stream-start, caps, segment, then buffers; new caps
 * may come between buffers. Headers carry no CRC (flags 0), so gdpdepay checks none.
 */
import type { Writable } from 'node:stream';
import { HEADER_BYTES, NO_TIMESTAMP, TYPE_BUFFER, TYPE_CAPS } from './gdp.js';

/** Event packets are typed 64 + the GstEventType (GST_EVENT_STREAM_START, GST_EVENT_SEGMENT). */
const TYPE_EVENT_STREAM_START = 64 + 10254;
const TYPE_EVENT_SEGMENT = 64 + 17934;
/** A time segment from 0, open-ended: buffers without timestamps pass straight through. */
const SEGMENT =
  'GstEventSegment, segment=(GstSegment)"segment, flags=(GstSegmentFlags)GST_SEGMENT_FLAG_NONE, rate=(double)1, applied-rate=(double)1, ' +
  'format=(GstFormat)time, base=(guint64)0, offset=(guint64)0, start=(guint64)0, stop=(guint64)18446744073709551615, time=(guint64)0, ' +
  'position=(guint64)0, duration=(guint64)18446744073709551615;";';

function header(type: number, length: number): Buffer {
  const h = Buffer.alloc(HEADER_BYTES);
  h[0] = 1; // GDP 1.0; flags (byte 2) 0: no header or payload CRC
  h.writeUInt16BE(type, 4);
  h.writeUInt32BE(length, 6);
  for (const at of [10, 18, 26, 34, 44]) h.writeBigUInt64BE(NO_TIMESTAMP, at); // pts, duration, offset, offset end, dts: none
  return h;
}

/** A NUL-terminated string payload (caps, event structures), as gdppay writes them. */
function writeText(out: Writable, type: number, text: string): void {
  const payload = Buffer.from(`${text}\0`, 'utf8');
  out.write(header(type, payload.length));
  out.write(payload);
}

/** Opens a stream: stream-start, the first caps and a time segment (gdpdepay refuses buffers before them). */
export function writeGdpStart(out: Writable, streamId: string, caps: string): void {
  writeText(out, TYPE_EVENT_STREAM_START, `GstEventStreamStart, stream-id=(string)${streamId};`);
  writeGdpCaps(out, caps);
  writeText(out, TYPE_EVENT_SEGMENT, SEGMENT);
}

/** New caps for the buffers that follow. */
export function writeGdpCaps(out: Writable, caps: string): void {
  writeText(out, TYPE_CAPS, caps);
}

/** One buffer without timestamps. Header and payload in two writes: joining them would copy the payload. */
export function writeGdpBuffer(out: Writable, data: Uint8Array): void {
  out.write(header(TYPE_BUFFER, data.length));
  out.write(data);
}
