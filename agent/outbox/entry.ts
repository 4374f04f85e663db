import type { OutboxKind } from './types.js';

/**
 * One outbox message as stored in LevelDB. Keys sort by priority class, then by a global sequence
 * number `n`, so a range read per class yields FIFO order:
 *   d!<class>!<n>  the message (header + payload)
 *   x!<class>!<n>  (files only) a small index record (bytes, enqueue time, group) so opening and
 *                  eviction never read chunk payloads
 *   m!seq          the last event seq handed out (written in the same batch as that event)
 *   m!open!<class> the group (file) being written; a leftover after a crash is an unfinished file
 */
export type OutboxClass = 0 | 1 | 2;
export const CLASSES: readonly OutboxClass[] = [0, 1, 2];

export function classOf(kind: OutboxKind): OutboxClass {
  return kind === 'clip' ? 2 : kind === 'snapshot' ? 1 : 0;
}

const pad = (n: number): string => n.toString().padStart(16, '0');
export const dataKey = (c: OutboxClass, n: number): string => `d!${c}!${pad(n)}`;
export const indexKey = (c: OutboxClass, n: number): string => `x!${c}!${pad(n)}`;
export const indexPrefix = (c: OutboxClass): string => `x!${c}!`;
export const dataPrefix = (c: OutboxClass): string => `d!${c}!`;
export const SEQ_KEY = 'm!seq';
export const SYNC_KEY = 'm!sync';
export const openGroupKey = (c: OutboxClass): string => `m!open!${c}`;
export const nFromKey = (key: string): number => Number(key.slice(key.lastIndexOf('!') + 1));

export interface EntryHeader {
  topic: string;
  kind: OutboxKind;
  /** Publish as JSON text (content type) or raw bytes. */
  json: boolean;
}

export interface IndexRecord {
  /** Bytes this entry takes on disk (keys + values), for the quota. */
  b: number;
  /** Enqueue time, ms since epoch. */
  t: number;
  /** Group: n of the first entry of the file (meta), or the entry's own n for messages. */
  g: number;
  k: OutboxKind;
}

/**
 * Binary layout: u8 flags (1 = JSON), u8 kind, u16 topic length, f64 enqueue time (ms), topic (utf8),
 * payload. No JSON.parse per message when draining.
 */
const HEADER = 12;
const KINDS: OutboxKind[] = ['event', 'health', 'response', 'snapshot', 'clip'];

export function encodeEntry(header: EntryHeader, payload: Buffer, enqueuedAt: number): Buffer {
  const topicLen = Buffer.byteLength(header.topic);
  const out = Buffer.allocUnsafe(HEADER + topicLen + payload.length);
  out.writeUInt8(header.json ? 1 : 0, 0);
  out.writeUInt8(KINDS.indexOf(header.kind), 1);
  out.writeUInt16BE(topicLen, 2);
  out.writeDoubleBE(enqueuedAt, 4);
  out.write(header.topic, HEADER, 'utf8');
  payload.copy(out, HEADER + topicLen);
  return out;
}

export function decodeEntry(value: Buffer): { header: EntryHeader; payload: Buffer } {
  const topicLen = value.readUInt16BE(2);
  return {
    header: { json: value[0] === 1, kind: KINDS[value[1]], topic: value.toString('utf8', HEADER, HEADER + topicLen) },
    payload: value.subarray(HEADER + topicLen),
  };
}

/** The index record of a message without one (class 0: small messages, read directly). */
export function recordFromData(n: number, value: Buffer): IndexRecord {
  return { b: entryDiskBytes(value), t: value.readDoubleBE(4), g: n, k: KINDS[value[1]] };
}

/** Only file classes keep index records: their values are big chunks we never want to read to scan. */
export const hasIndex = (c: OutboxClass): boolean => c !== 0;

/** What an entry counts against the quota: its value plus a fixed allowance for keys and index. */
export function entryDiskBytes(value: Buffer): number {
  return value.length + 96;
}
