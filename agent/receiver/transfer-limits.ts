/**
 * The receiver's bounds per gateway (docs/receiver.md, "Bounds"). The wire contract allows files of
 * 2 GiB in 10^6 chunks; a receiver takes less, so one gateway (or anyone publishing on its topics)
 * cannot exhaust its disk, memory or CPU.
 */
export interface TransferLimits {
  /** Largest file (meta.bytes, or the chunks received before the meta). */
  maxFileBytes: number;
  /** Most chunks per file (meta.chunks, and chunk indices). */
  maxChunks: number;
  /** Largest chunk message. */
  maxChunkBytes: number;
  /** Unfinished transfers per gateway; a piece of a new one beyond this is dropped and counted. */
  maxOpenTransfers: number;
  /** Bytes the unfinished transfers of one gateway may hold under .partial/. */
  maxPendingBytes: number;
  /** A transfer still unfinished this long after its first piece is dropped (CLIP_INCOMPLETE), even if pieces trickle in. */
  maxTransferAgeMs: number;
}

export const DEFAULT_TRANSFER_LIMITS: TransferLimits = {
  maxFileBytes: 1024 ** 3,
  maxChunks: 65536,
  maxChunkBytes: 1024 ** 2,
  maxOpenTransfers: 32,
  maxPendingBytes: 2 * 1024 ** 3,
  maxTransferAgeMs: 6 * 3600_000,
};

/** Per gateway in summary.json: what is open now and what each bound refused or dropped since the start. */
export interface TransferCounts {
  openTransfers: number;
  pendingBytes: number;
  /** Pieces of a new transfer dropped because the gateway had maxOpenTransfers open. */
  refusedPieces: number;
  /** Transfers rejected as CLIP_TOO_LARGE. */
  tooLarge: number;
  /** Transfers rejected as CLIP_GATEWAY_QUOTA. */
  overQuota: number;
  /** Transfers dropped by the sweep (idle for the incomplete timeout, older than maxTransferAgeMs, or no key). */
  stale: number;
  /** Files signed with a key the gateway's status offered but the receiver refused (GATEWAY_KEY_MISMATCH). */
  keyMismatch: number;
}

export function emptyTransferCounts(): TransferCounts {
  return { openTransfers: 0, pendingBytes: 0, refusedPieces: 0, tooLarge: 0, overQuota: 0, stale: 0, keyMismatch: 0 };
}
