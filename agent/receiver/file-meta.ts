import { FileMetaMessageSchema, wireValidator, type FileMetaMessage } from '../contract/index.js';

const validMeta = wireValidator(FileMetaMessageSchema);

/** Checks a meta message against the wire contract; returns the reason it is unusable, or the typed meta. */
export function parseFileMeta(payload: Buffer, clipId: string): FileMetaMessage | string {
  let m: Record<string, unknown>;
  try {
    const parsed: unknown = JSON.parse(payload.toString('utf8'));
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return 'meta is not a JSON object';
    m = { ...(parsed as Record<string, unknown>) };
  } catch {
    return 'meta is not valid JSON';
  }
  // Lenient where a sender may differ harmlessly: no eventId means none, an id that is not a string is ignored.
  m.eventId ??= null;
  if (typeof m.id !== 'string') delete m.id;
  if (!validMeta(m)) return `meta${validMeta.problem()}`;
  if (m.clipId !== clipId) return `meta.clipId ${m.clipId} does not match the topic's ${clipId}`;
  if (m.bytes > 0 && m.chunks === 0) return 'meta.chunks is 0 for a non-empty file';
  return {
    id: m.id, clipId, camera: m.camera, eventId: m.eventId, startTs: m.startTs, endTs: m.endTs,
    bytes: m.bytes, chunks: m.chunks, sha256: m.sha256.toLowerCase(), contentType: m.contentType, signature: m.signature,
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
