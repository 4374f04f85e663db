/** The store-and-forward outbox as the rest of the agent sees it. */
import type { EventBody } from '../contract/index.js';

/** Priority classes, drained in this order: status and events before snapshots before clips. */
export type OutboxKind = 'event' | 'health' | 'response' | 'snapshot' | 'clip';

export interface OutboxStats extends OutboxWriteHealth {
  pending: number;
  bytes: number;
  oldestAgeS: number;
  evicted: { clip: number; snapshot: number; event: number; health: number; response: number };
}

/** Whether the store takes writes (a full disk, an I/O error), counted since start. */
export interface OutboxWriteHealth {
  /** Writes the store could not commit (refused enqueues, failed deletes) since start. */
  writeFailures: number;
  /** false from a failed write until the database is reopened: enqueues are refused meanwhile. */
  writable: boolean;
  /** The newest write failure. */
  lastError?: { code: string; message: string; ts: string };
}

export interface ClipMeta {
  clipId: string;
  camera: string;
  eventId?: string;
  startTs: string;
  endTs: string;
  contentType: string;
}

export interface OutboxWriter {
  /** Queues an object event on `events`; the outbox stamps it with a gateway-unique `id` and the next `seq`. Resolves once durable. */
  enqueueEvent(event: EventBody): Promise<{ id: string; seq: number }>;
  /**
   * Queues any other JSON message (health, responses, line counts as kind `event`) on `topic`
   * (relative to the gateway root). A string `id` in the payload is kept, else one is made.
   */
  enqueueJson(kind: 'event' | 'health' | 'response', topic: string, payload: object): Promise<{ id: string }>;
  /**
   * Queues a file (clip MP4, snapshot JPEG) for chunked, signed transfer under clips/<clipId>/...
   * A string is a path: big clips are streamed from disk into the outbox so RSS stays flat.
   */
  enqueueFile(kind: 'clip' | 'snapshot', file: Buffer | string, meta: ClipMeta): Promise<{ id: string }>;
  stats(): OutboxStats;
}
