import type { SignedFileMeta } from '../identity/file-signature.js';

/** The `clips/<clipId>/meta` message: what is signed, plus the signature and the outbox id. */
export interface FileMetaMessage extends SignedFileMeta {
  id?: string;
  signature: string;
}

/** Biggest file the receiver accepts (a 300 s clip at a generous 16 Mbit/s is ~600 MB). */
const MAX_BYTES = 2 * 1024 ** 3;
const MAX_CHUNKS = 1_000_000;

/** Checks the shape of a meta message; returns the reason it is unusable, or the typed meta. */
export function parseFileMeta(payload: Buffer, clipId: string): FileMetaMessage | string {
  let m: Record<string, unknown>;
  try {
    const parsed: unknown = JSON.parse(payload.toString('utf8'));
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return 'meta is not a JSON object';
    m = parsed as Record<string, unknown>;
  } catch {
    return 'meta is not valid JSON';
  }
  const str = (k: string): boolean => typeof m[k] === 'string';
  for (const k of ['clipId', 'camera', 'startTs', 'endTs', 'sha256', 'contentType', 'signature']) {
    if (!str(k)) return `meta.${k} missing or not a string`;
  }
  if (m.clipId !== clipId) return `meta.clipId ${String(m.clipId)} does not match the topic's ${clipId}`;
  if (m.eventId !== undefined && m.eventId !== null && typeof m.eventId !== 'string') return 'meta.eventId is not a string';
  const bytes = m.bytes;
  const chunks = m.chunks;
  if (typeof bytes !== 'number' || !Number.isInteger(bytes) || bytes < 0 || bytes > MAX_BYTES) return 'meta.bytes is not a size the receiver accepts';
  if (typeof chunks !== 'number' || !Number.isInteger(chunks) || chunks < 0 || chunks > MAX_CHUNKS) return 'meta.chunks is not a usable count';
  if (bytes > 0 && chunks === 0) return 'meta.chunks is 0 for a non-empty file';
  if (!/^[0-9a-f]{64}$/i.test(m.sha256 as string)) return 'meta.sha256 is not a hex SHA-256';
  return {
    id: typeof m.id === 'string' ? m.id : undefined,
    clipId,
    camera: m.camera as string,
    eventId: (m.eventId as string | null | undefined) ?? null,
    startTs: m.startTs as string,
    endTs: m.endTs as string,
    bytes,
    chunks,
    sha256: (m.sha256 as string).toLowerCase(),
    contentType: m.contentType as string,
    signature: m.signature as string,
  };
}

/** File extension for a delivered file, by its content type. */
export function extensionFor(contentType: string): string {
  const t = contentType.split(';')[0].trim().toLowerCase();
  if (t === 'video/mp4') return 'mp4';
  if (t === 'image/jpeg') return 'jpg';
  if (t === 'image/png') return 'png';
  if (t === 'video/mp2t') return 'ts';
  return 'bin';
}
