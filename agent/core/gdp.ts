/**
 * Reader for the GStreamer Data Protocol (GDP 1.0, what `gdppay` writes): how a `gst-launch-1.0`
 * child hands whole buffers with their timestamps to the agent over a pipe. Each packet is a
 * 62-byte header (big-endian: payload type at 4, payload length at 6, PTS at 10) and its payload.
 * Buffers are type 1, caps type 2, events 64 and up; the reader keeps buffers and caps.
 */

export const HEADER_BYTES = 62;
export const TYPE_BUFFER = 1;
export const TYPE_CAPS = 2;
export const NO_TIMESTAMP = 0xffffffffffffffffn;
/** A payload larger than this is a broken stream, not a frame (a 4K I420 frame is 12 MB). */
const MAX_PAYLOAD_BYTES = 64 * 1024 * 1024;

export type GdpPacket =
  /** `ptsNs` is undefined when the buffer carries none. */
  | { kind: 'buffer'; ptsNs?: bigint; data: Buffer }
  /** Caps as GStreamer prints them (`video/x-raw, format=(string)I420, width=(int)640, ...`). */
  | { kind: 'caps'; caps: string };

export class GdpFormatError extends Error {}

export class GdpReader {
  private chunks: Buffer[] = [];
  private buffered = 0;

  /** Takes the next bytes of the stream and returns every packet they complete. */
  push(chunk: Buffer): GdpPacket[] {
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    const out: GdpPacket[] = [];
    for (;;) {
      if (this.buffered < HEADER_BYTES) return out;
      const header = this.peek(HEADER_BYTES);
      if (header[0] !== 1) throw new GdpFormatError(`not a GDP 1.x stream (major version byte ${header[0]})`);
      const type = header.readUInt16BE(4);
      const length = header.readUInt32BE(6);
      if (length > MAX_PAYLOAD_BYTES) throw new GdpFormatError(`GDP payload of ${length} bytes`);
      if (this.buffered < HEADER_BYTES + length) return out;
      const packet = this.take(HEADER_BYTES + length);
      const payload = packet.subarray(HEADER_BYTES);
      if (type === TYPE_BUFFER) {
        const pts = header.readBigUInt64BE(10);
        out.push({ kind: 'buffer', ptsNs: pts === NO_TIMESTAMP ? undefined : pts, data: payload });
      } else if (type === TYPE_CAPS) {
        out.push({ kind: 'caps', caps: payload.toString('utf8').replace(/\0+$/, '') });
      }
    }
  }

  /** The first n buffered bytes, copied only when they span chunks. */
  private peek(n: number): Buffer {
    if (this.chunks[0].length >= n) return this.chunks[0];
    this.chunks = [Buffer.concat(this.chunks)];
    return this.chunks[0];
  }

  /** Removes and returns the first n buffered bytes (one copy at most, none when a chunk holds them). */
  private take(n: number): Buffer {
    const whole = this.peek(n);
    const out = whole.subarray(0, n);
    const rest = whole.subarray(n);
    this.chunks = rest.length > 0 ? [rest] : [];
    this.buffered -= n;
    return out;
  }
}
