import type { ErrorTable } from '../core/error-table.js';

/** Codes of the store-and-forward outbox (agent/outbox/, docs/outbox.md). */
export const OutboxErrorCodes = {
  OUTBOX_LOCKED: {
    summary: 'another process holds the outbox',
    remedy: 'ask the running agent (`edge-agent diag`)',
  },
  OUTBOX_OPEN_FAILED: {
    summary: 'LevelDB could not open the folder',
    remedy: 'check `gateway.dataDir` is writable and not full',
  },
  OUTBOX_WRITE_FAILED: {
    summary: 'a batch failed (I/O error), or writes are refused until the database is reopened after one; the enqueue rejects; counted in `writeFailures`',
    remedy: 'check the data disk',
  },
  OUTBOX_DISK_FULL: {
    summary: 'a write failed because the data disk is full; the outbox asks for room outside itself (the oldest recordings) and reopens its database; counted in `writeFailures`',
    remedy: 'free space on the data disk; check `recording.maxBytes` and `outbox.quotaBytes` fit it (`edge-agent diag`)',
  },
  OUTBOX_REOPEN_FAILED: {
    summary: 'after a failed write the database did not reopen (the disk is still full or failing); writes are refused and it is retried with back-off',
    remedy: 'free space on the data disk or check it for errors (`dmesg`)',
  },
  OUTBOX_FULL: {
    summary: 'quota reached and nothing of the same or lower priority left to evict, or an on-demand file (the `snapshot` or `clip` command) that would have to evict something (it never does); counted in `evicted`',
    remedy: 'uplink down too long or too slow; raise `quotaBytes`',
  },
  OUTBOX_ITEM_TOO_LARGE: {
    summary: 'one item is bigger than the whole quota',
    remedy: 'raise `quotaBytes` or cut shorter clips',
  },
  OUTBOX_CLIP_ID_INVALID: {
    summary: 'clipId cannot be a topic level',
    remedy: 'letters, digits, `.`, `_`, `-`',
  },
  OUTBOX_FILE_UNREADABLE: {
    summary: 'a clip path vanished while queued',
    remedy: 'queue clips once closed',
  },
  OUTBOX_FILE_CHANGED: {
    summary: 'a clip file changed while queued (between the two reading passes); the partial copy is dropped',
    remedy: 'queue clips once closed',
  },
  OUTBOX_CLOSED: {
    summary: 'enqueue after `close()`',
    remedy: '(shutdown)',
  },
} as const satisfies ErrorTable;
