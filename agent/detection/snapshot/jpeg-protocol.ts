/**
 * The byte protocol between the snapshot encoder and its JPEG process, on the child's stdin/stdout:
 * a fixed little-endian header of u32 fields, the last one the payload's length, then the payload.
 * Plain pipes, not Node's IPC channel: serialising a 350 KB frame through IPC costs several ms more.
 *   request: id, width, height, length | I420 in GStreamer's layout (render.ts gstI420Layout)
 *   reply:   id, status (0 JPEG, 1 error text), length | JPEG or UTF-8 error
 */
import type { Writable } from 'node:stream';

export const REQUEST_FIELDS = 4;
export const REPLY_FIELDS = 3;
export const REPLY_OK = 0;
export const REPLY_ERROR = 1;

/**
 * Writes the header fields, then the payload's length, then the payload. Two writes, not one joined
 * buffer: joining would copy the whole frame once more per snapshot.
 */
export function writeMessage(out: Writable, fields: readonly number[], payload: Uint8Array): void {
  const head = Buffer.alloc((fields.length + 1) * 4);
  [...fields, payload.length].forEach((f, i) => head.writeUInt32LE(f, i * 4));
  out.write(head);
  out.write(payload);
}

/** Splits a byte stream back into messages of `fieldCount` header fields and their payload. */
export class MessageReader {
  private chunks: Buffer[] = [];
  private buffered = 0;

  constructor(
    private readonly fieldCount: number,
    private readonly onMessage: (fields: number[], payload: Buffer) => void,
  ) {}

  push(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    const headBytes = this.fieldCount * 4;
    while (this.buffered >= headBytes) {
      // Joins chunks only once a whole message is there: a frame arrives in several pipe reads.
      if (this.chunks[0].length < headBytes) this.chunks = [Buffer.concat(this.chunks)];
      const head = this.chunks[0];
      const fields = Array.from({ length: this.fieldCount }, (_, i) => head.readUInt32LE(i * 4));
      const end = headBytes + fields[this.fieldCount - 1];
      if (this.buffered < end) return;
      const all = this.chunks.length === 1 ? head : Buffer.concat(this.chunks);
      const rest = all.subarray(end);
      this.chunks = rest.length ? [rest] : [];
      this.buffered = rest.length;
      this.onMessage(fields, all.subarray(headBytes, end));
    }
  }
}
