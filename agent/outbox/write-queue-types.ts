import type { OutboxKind } from './types.js';
import type { OutboxClass } from './entry.js';

/** One item of a write job; a function payload is built once the event's seq is known. */
export interface JobItem {
  topic: string;
  json: boolean;
  payload: Buffer | ((seq: number) => Buffer);
  /** Size estimate of a function payload, for the quota check before seq is known. */
  sizeHint?: number;
}

/**
 * A unit of work for the store's single writer. Messages are one job each; a file is one job
 * (small) or several (streamed from disk) sharing a group that is only dispatched once complete.
 */
export interface WriteJob {
  cls: OutboxClass;
  kind: OutboxKind;
  items: JobItem[];
  /** Stamp the next event seq (events only; exactly one item). */
  seq?: boolean;
  group?: { start: boolean; end: boolean; n?: number };
  /** false: stored only if it fits without evicting anything (an on-demand file never costs event evidence). */
  mayEvict?: boolean;
  resolve(res: { firstN: number; lastN: number; seq?: number }): void;
  reject(err: unknown): void;
}
