import type { EntryHeader, OutboxClass } from './entry.js';
import type { OutboxKind, OutboxStats } from './types.js';

/**
 * The outbox's durable store as the rest of the outbox sees it, in the spirit of MQTT.js's `Store`
 * (put / read back in order / delete what was acknowledged). `level/level-store.ts` implements it
 * on LevelDB; how it recovers, group-commits, syncs and evicts stays behind this interface.
 */
export interface OutboxStore {
  /** Writes one message or part of a file; resolves once committed under the sync policy. */
  put(request: PutRequest): Promise<PutResult>;
  /** Dispatchable entries of one class after n, FIFO, at most `limit`; acknowledged ones are skipped. */
  read(cls: OutboxClass, afterN: number, limit: number): Promise<ReadResult>;
  /** Whether class `cls` has sendable entries after n (may be stale by evictions: then a read finds none). */
  hasUnread(cls: OutboxClass, afterN: number): boolean;
  /** Every entry of class `cls` up to n is acknowledged (`count` entries, `bytes` on disk): deleted soon, coalesced. */
  delThrough(cls: OutboxClass, n: number, count: number, bytes: number): void;
  /** Drops the unfinished file of a class (its enqueue failed half-way); the caller gets the error. */
  abortOpenGroup(cls: OutboxClass): Promise<void>;
  /** Resolves once every queued write and delete is committed. */
  flush(): Promise<void>;
  stats(): OutboxStats;
  close(): Promise<void>;
}

/**
 * What the store tells its reader (the drainer), given once at construction instead of hook fields
 * set afterwards.
 */
export interface StoreObserver {
  /** A commit made new entries dispatchable. */
  sealed(): void;
  /** The reader holds this entry (in flight, or acknowledged behind one that is not): never evict it. */
  isHeld(key: string): boolean;
  /** Eviction removed these entries, `bytes` on disk (the reader may have them buffered). */
  evicted(keys: ReadonlySet<string>, bytes: number): void;
}

/** One item of a put; a function payload is built once the event's seq is known. */
export interface PutItem {
  topic: string;
  json: boolean;
  payload: Buffer | ((seq: number) => Buffer);
  /** Size estimate of a function payload, for the quota check before seq is known. */
  sizeHint?: number;
}

/**
 * Messages are one put each; a file is one put (small) or several (streamed from disk) sharing a
 * group that is only dispatched once complete.
 */
export interface PutRequest {
  cls: OutboxClass;
  kind: OutboxKind;
  items: PutItem[];
  /** Stamp the next event seq (events only; exactly one item). */
  seq?: boolean;
  /** A file's puts: the first has start, the last end; those between continue the class's open file. */
  group?: { start: boolean; end: boolean };
  /** false: stored only if it fits without evicting anything (an on-demand file never costs event evidence). */
  mayEvict?: boolean;
}

export interface PutResult {
  firstN: number;
  lastN: number;
  seq?: number;
}

export interface StoredEntry {
  cls: OutboxClass;
  n: number;
  key: string;
  header: EntryHeader;
  payload: Buffer;
  bytes: number;
}

export interface ReadResult {
  entries: StoredEntry[];
  /** The last dispatchable n the read looked up to: a short read has seen everything up to here. */
  through: number;
}
