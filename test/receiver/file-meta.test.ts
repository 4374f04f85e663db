import assert from 'node:assert/strict';
import { parseFileMeta } from '../../agent/receiver/file-meta.js';

const good = {
  id: 'u-1', clipId: 'clip-1', camera: 'cam1', eventId: 'o7', startTs: '2026-11-29T12:00:00.000Z', endTs: '2026-11-29T12:00:10.000Z',
  bytes: 300000, chunks: 3, sha256: 'AB'.repeat(32), contentType: 'video/mp4', signature: 'c2ln',
};
const parse = (m: unknown, clipId = 'clip-1') => parseFileMeta(Buffer.from(typeof m === 'string' ? m : JSON.stringify(m)), clipId);

describe('receiver: clip meta checked against the wire contract', () => {
  it('accepts a gateway meta, lower-cases the hash, and reads a missing eventId as none and a non-string id as absent', () => {
    const m = parse(good);
    assert.ok(typeof m !== 'string', String(m));
    assert.equal(m.sha256, 'ab'.repeat(32));
    const lenient = parse({ ...good, id: 42, eventId: undefined });
    assert.ok(typeof lenient !== 'string', String(lenient));
    assert.equal(lenient.eventId, null);
    assert.equal(lenient.id, undefined);
  });

  it('returns a reason for every unusable meta (the receiver rejects it as CLIP_META_INVALID)', () => {
    const bad: Array<[string, unknown, string?]> = [
      ['not JSON', '{"clipId":'],
      ['not an object', '[1,2]'],
      ['a field missing', { ...good, camera: undefined }],
      ['a field of the wrong type', { ...good, contentType: 5 }],
      ['eventId neither string nor null', { ...good, eventId: 7 }],
      ['bytes not an integer', { ...good, bytes: 1.5 }],
      ['bytes beyond the limit', { ...good, bytes: 3 * 1024 ** 3 }],
      ['negative chunks', { ...good, chunks: -1 }],
      ['no chunks for a non-empty file', { ...good, chunks: 0 }],
      ['sha256 not hex', { ...good, sha256: 'xyz' }],
      ['another clip than the topic', good, 'clip-2'],
    ];
    for (const [what, meta, clipId] of bad) {
      const r = parse(meta, clipId);
      assert.equal(typeof r, 'string', `${what}: refused`);
      assert.ok((r as string).length > 10, `${what}: a reason (${String(r)})`);
    }
  });
});
