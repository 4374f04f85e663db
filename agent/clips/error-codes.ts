import type { ErrorTable } from '../core/error-table.js';

/** Codes of recordings and clip cutting on the gateway (agent/clips/, docs/clips.md). */
export const ClipsErrorCodes = {
  CLIP_RANGE_INVALID: {
    summary: '`toMs <= fromMs`, or not numbers',
    remedy: 'give `from < to` in epoch ms',
  },
  CLIP_TOO_LONG: {
    summary: 'longer than `clips.maxSeconds`',
    remedy: 'ask for a shorter range, several clips, or raise `clips.maxSeconds`',
  },
  CLIP_NO_RECORDING: {
    summary: 'no closed segment overlaps the range (a range still in the future waits for the recording, then fails with this when the camera does not record)',
    remedy: 'check the camera records (`cameras[].record.enabled`, ingest state) and that retention keeps that far back',
  },
  CLIP_CUT_FAILED: {
    summary: 'every segment unreadable, unsupported codec, GStreamer error, or no result within the deadline',
    remedy: 'check the segments (`edge-agent diag`), the GStreamer install; the message carries GStreamer\'s reason',
  },
} as const satisfies ErrorTable;
