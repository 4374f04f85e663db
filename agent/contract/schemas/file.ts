import { Type, type Static } from '@sinclair/typebox';
import type { SignedFileMeta } from '../../identity/file-signature.js';
import { MessageId, type Assert, type SameKeys } from './common.js';
import { SAFE_NAME_PATTERN } from '../topics.js';

/** Biggest file a receiver accepts (a 300 s clip at a generous 16 Mbit/s is ~600 MB). */
export const MAX_FILE_BYTES = 2 * 1024 ** 3;
export const MAX_FILE_CHUNKS = 1_000_000;

/**
 * `clips/<clipId>/meta`: a clip (MP4) or snapshot (JPEG) announced before its chunks. The fields
 * from clipId to contentType are signed in that order (agent/identity/file-signature.ts).
 */
export const FileMetaMessageSchema = Type.Object(
  {
    id: Type.Optional(MessageId),
    clipId: Type.String({ pattern: SAFE_NAME_PATTERN, description: 'unique per file; also the topic level' }),
    camera: Type.String({ description: 'camera id' }),
    eventId: Type.Union([Type.String(), Type.Null()], { description: 'objectId of the event it belongs to; null for none' }),
    startTs: Type.String({ description: 'first moment in the file (ISO 8601)' }),
    endTs: Type.String({ description: 'last moment in the file (ISO 8601)' }),
    bytes: Type.Integer({ minimum: 0, maximum: MAX_FILE_BYTES, description: 'file size' }),
    chunks: Type.Integer({ minimum: 0, maximum: MAX_FILE_CHUNKS, description: 'ceil(bytes / clips.chunkBytes); 0 for an empty file' }),
    sha256: Type.String({ pattern: '^[0-9a-fA-F]{64}$', description: 'hex SHA-256 of the whole file' }),
    contentType: Type.String({ description: 'video/mp4 or image/jpeg' }),
    signature: Type.String({ description: 'base64 Ed25519 by the gateway key over the signed fields; verify with status.publicKey' }),
  },
  { title: 'clips/<clipId>/meta', description: 'receivers ignore fields they do not know' },
);
export type FileMetaMessage = Static<typeof FileMetaMessageSchema>;

// What is signed is exactly the meta without id and signature.
export type SignedFieldsAreTheMeta = Assert<SameKeys<SignedFileMeta, Omit<FileMetaMessage, 'id' | 'signature'>>>;
