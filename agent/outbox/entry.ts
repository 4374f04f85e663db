import type { OutboxKind } from './types.js';

/**
 * One outbox message as stored in LevelDB. Keys sort by priority class, then by a global sequence
 * number `n`, so a range read per class yields FIFO order:
 *   d!<class>!<n>  the message (header + payload)
 *   x!<class>!<n>  a small index record (bytes, enqueue time, group) so opening and eviction never
 *                  read payloads
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

export function encodeEntry(header: EntryHeader, payload: Buffer): Buffer {
  const h = Buffer.from(JSON.stringify(header));
  const len = Buffer.alloc(4);
  len.writeUInt32BE(h.length);
  return Buffer.concat([len, h, payload]);
}

export function decodeEntry(value: Buffer): { header: EntryHeader; payload: Buffer } {
  const hl = value.readUInt32BE(0);
  return { header: JSON.parse(value.subarray(4, 4 + hl).toString()) as EntryHeader, payload: value.subarray(4 + hl) };
}

/** A message ready to be written: the outbox assigns n (and seq for events) when it commits. */
export interface StagedEntry {
  cls: OutboxClass;
  header: EntryHeader;
  payload: Buffer;
}

/** What an entry counts against the quota: its value plus a fixed allowance for keys and index. */
export function entryDiskBytes(value: Buffer): number {
  return value.length + 96;
}
