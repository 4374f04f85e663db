import { createHash } from 'node:crypto';
import { open, stat } from 'node:fs/promises';
import { clipChunkTopic, clipMetaTopic, SAFE_NAME_PATTERN, type FileMetaMessage } from '../contract/index.js';
import { AgentError } from '../core/errors.js';
import { fileSigningPayload, type SignedFileMeta } from '../identity/file-signature.js';
import type { OutboxClass } from './entry.js';
import type { OutboxStore, PutItem } from './store.js';
import type { ClipMeta } from './types.js';

/** Chunks per write job when streaming a file from disk: bounds RAM to a few chunks. */
const CHUNKS_PER_JOB = 8;
const CLIP_ID = new RegExp(SAFE_NAME_PATTERN);

export interface FileTransferContext {
  store: OutboxStore;
  chunkBytes: number;
  sign: (data: Buffer) => string;
}

function checkClipId(clipId: string): void {
  if (!CLIP_ID.test(clipId) || clipId === '.' || clipId === '..') {
    throw new AgentError('OUTBOX_CLIP_ID_INVALID', `clipId "${clipId}" cannot be a topic level`, 'use letters, digits, ".", "_" and "-" (at most 128)');
  }
}

function buildMeta(ctx: FileTransferContext, id: string, meta: ClipMeta, bytes: number, sha256: string): FileMetaMessage {
  const signed: SignedFileMeta = {
    clipId: meta.clipId, camera: meta.camera, eventId: meta.eventId ?? null, startTs: meta.startTs, endTs: meta.endTs,
    bytes, chunks: Math.ceil(bytes / ctx.chunkBytes), sha256, contentType: meta.contentType,
  };
  return { id, ...signed, signature: ctx.sign(fileSigningPayload(signed)) };
}

/** Files of an event (clip, snapshot) may evict older ones under the quota; on-demand files (no eventId) never do. */
const mayEvict = (meta: ClipMeta): boolean => meta.eventId !== undefined;

const metaItem = (m: FileMetaMessage): PutItem => ({ topic: clipMetaTopic(m.clipId), json: true, payload: Buffer.from(JSON.stringify(m)) });
const chunkItem = (clipId: string, i: number, data: Buffer): PutItem => ({ topic: clipChunkTopic(clipId, i), json: false, payload: data });

/** A file already in memory: meta and every chunk in one atomic batch. */
export async function enqueueBuffer(ctx: FileTransferContext, cls: OutboxClass, kind: 'clip' | 'snapshot', id: string, file: Buffer, meta: ClipMeta): Promise<void> {
  checkClipId(meta.clipId);
  const m = buildMeta(ctx, id, meta, file.length, createHash('sha256').update(file).digest('hex'));
  const items = [metaItem(m)];
  for (let i = 0; i < m.chunks; i++) items.push(chunkItem(meta.clipId, i, file.subarray(i * ctx.chunkBytes, (i + 1) * ctx.chunkBytes)));
  await ctx.store.put({ cls, kind, items, group: { start: true, end: true }, mayEvict: mayEvict(meta) });
}

/**
 * A file on disk (big clips): hashed in a first pass, then copied into the outbox a few chunks per
 * batch, so RSS stays flat whatever the clip size. The group becomes sendable only when complete;
 * if the file changes between the passes, the partial copy is dropped.
 */
export async function enqueuePath(ctx: FileTransferContext, cls: OutboxClass, kind: 'clip' | 'snapshot', id: string, file: string, meta: ClipMeta): Promise<void> {
  checkClipId(meta.clipId);
  let size: number;
  try {
    size = (await stat(file)).size;
  } catch (err) {
    throw new AgentError('OUTBOX_FILE_UNREADABLE', `cannot read ${file}`, 'the clip file vanished before it was queued', { cause: err });
  }
  const fh = await open(file, 'r');
  try {
    const first = createHash('sha256');
    const buf = Buffer.alloc(ctx.chunkBytes);
    for (let pos = 0; pos < size; pos += ctx.chunkBytes) {
      const { bytesRead } = await fh.read(buf, 0, Math.min(ctx.chunkBytes, size - pos), pos);
      first.update(buf.subarray(0, bytesRead));
    }
    const m = buildMeta(ctx, id, meta, size, first.digest('hex'));
    const second = createHash('sha256');
    let items: PutItem[] = [metaItem(m)];
    let started = false;
    try {
      for (let i = 0; i < m.chunks; i++) {
        const chunk = Buffer.alloc(Math.min(ctx.chunkBytes, size - i * ctx.chunkBytes));
        const { bytesRead } = await fh.read(chunk, 0, chunk.length, i * ctx.chunkBytes);
        if (bytesRead !== chunk.length) throw new AgentError('OUTBOX_FILE_CHANGED', `${file} shrank while it was queued`, 'queue a clip only once it is closed');
        second.update(chunk);
        items.push(chunkItem(meta.clipId, i, chunk));
        const last = i === m.chunks - 1;
        if (items.length >= CHUNKS_PER_JOB && !last) {
          await ctx.store.put({ cls, kind, items, group: { start: !started, end: false }, mayEvict: mayEvict(meta) });
          started = true;
          items = [];
        }
      }
      if (second.digest('hex') !== m.sha256) throw new AgentError('OUTBOX_FILE_CHANGED', `${file} changed while it was queued`, 'queue a clip only once it is closed');
      await ctx.store.put({ cls, kind, items, group: { start: !started, end: true }, mayEvict: mayEvict(meta) });
    } catch (err) {
      if (started) await ctx.store.abortOpenGroup(cls);
      throw err;
    }
  } finally {
    await fh.close();
  }
}
