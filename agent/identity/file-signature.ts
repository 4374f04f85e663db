/**
 * What the gateway signs for every transferred file (clip MP4 or snapshot JPEG): the meta fields in
 * this exact order, JSON-encoded. The sender puts the base64 Ed25519 signature in meta.signature;
 * the receiver rebuilds these bytes from the meta it got and verifies them with the gateway's public
 * key (published in its retained `status`).
 */
export interface SignedFileMeta {
  clipId: string;
  camera: string;
  eventId: string | null;
  startTs: string;
  endTs: string;
  bytes: number;
  chunks: number;
  sha256: string;
  contentType: string;
}

export function fileSigningPayload(m: SignedFileMeta): Buffer {
  const ordered: SignedFileMeta = {
    clipId: m.clipId, camera: m.camera, eventId: m.eventId ?? null, startTs: m.startTs, endTs: m.endTs,
    bytes: m.bytes, chunks: m.chunks, sha256: m.sha256, contentType: m.contentType,
  };
  return Buffer.from(JSON.stringify(ordered));
}
