import type { ErrorTable } from '../core/error-table.js';

/**
 * Codes of the central-side clip receiver (agent/receiver/, `edge-agent receive`, docs/receiver.md):
 * why it rejected a clip, and its CLI's own errors.
 */
export const ReceiverErrorCodes = {
  CLIP_META_INVALID: {
    summary: 'meta not JSON, a field missing or of the wrong type, clipId not the topic\'s',
    remedy: 'a gateway bug or a foreign publisher on the clips topic: report it',
  },
  CLIP_SIGNATURE_INVALID: {
    summary: 'the signature does not verify with the gateway\'s public key',
    remedy: 'treat the clip as not from that gateway; check who publishes on its topics',
  },
  CLIP_SIZE_MISMATCH: {
    summary: 'assembled size ≠ `meta.bytes` (a truncated or padded transfer)',
    remedy: 'ask the gateway for the clip again',
  },
  CLIP_HASH_MISMATCH: {
    summary: 'SHA-256 ≠ `meta.sha256` (a corrupt chunk)',
    remedy: 'ask the gateway for the clip again',
  },
  CLIP_EXTRA_CHUNKS: {
    summary: 'a chunk index ≥ `meta.chunks` arrived',
    remedy: 'ask the gateway for the clip again; report it if it repeats',
  },
  CLIP_INCOMPLETE: {
    summary: 'no new piece for `--incomplete-timeout` seconds and chunks (or the meta) still missing',
    remedy: 'raise `--incomplete-timeout` for slow links, or ask the gateway for the clip again',
  },
  CLIP_NO_PUBLIC_KEY: {
    summary: 'complete, but no key for the gateway within the timeout',
    remedy: 'the gateway\'s retained status carries its key: check the gateway has connected and its status is retained',
  },
  CLIP_TOO_LARGE: {
    summary: 'the meta announces, or the chunks add up to, more than the receiver takes per file (`--max-file-mb`, 65536 chunks, 1 MiB per chunk)',
    remedy: 'a gateway with a smaller `clips.chunkBytes` or longer clips needs a receiver with higher bounds; otherwise a foreign publisher on the gateway\'s topics',
  },
  CLIP_GATEWAY_QUOTA: {
    summary: 'the gateway\'s unfinished transfers would hold more than its share of `.partial/` (`--max-pending-mb`)',
    remedy: 'its other transfers finish or go stale first; if the gateway is genuine and sends many files at once, raise `--max-pending-mb`',
  },
  GATEWAY_KEY_MISMATCH: {
    summary: 'a gateway\'s status carries a public key other than the pinned one (refused, counted in summary.json), or a file is signed with that refused key (not written as verified); `provision push --encrypt-secrets` refuses to encrypt to it',
    remedy: 'someone else may publish on the gateway\'s topics; if the gateway really was re-keyed (new SD card, reinstall), compare the fingerprint with its `identity/gateway.pub` and pin it: `edge-agent receive --out DIR --trust-key GW DIR/keys/offered/GW.pem`',
  },
  RECEIVER_BAD_OPTION: {
    summary: 'an option value of `edge-agent receive` (a number, `--password-env`, `--password-file`, `--gateway-keys`, `--trust-key`)',
    remedy: 'the message names the option',
  },
  RECEIVER_BAD_QUERY: {
    summary: '`edge-agent receive --query`: an unknown key, colour name, direction or line direction, or a time that is not ISO-8601',
    remedy: 'the message names the term and the accepted values',
  },
  RECEIVER_TLS_FILE: {
    summary: 'a certificate or key file unreadable',
    remedy: 'check the path and its permissions',
  },
} as const satisfies ErrorTable;
