import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileSigningPayload, type SignedFileMeta } from '../../agent/identity/file-signature.js';
import { loadOrCreateIdentity } from '../../agent/identity/gateway-identity.js';
import { ClipAssembler, type ClipOutcome } from '../../agent/receiver/clip-assembler.js';
import { tempDir, VIDEOS_DIR } from '../support/tmp.js';

/** A receiver killed while finishing a clip: the next run neither loses the clip nor reports it twice. */
describe('clip assembler across a crash while it finishes a clip', () => {
  const tmp = tempDir('assembler-crash-');
  after(() => tmp.cleanup());
  const gw = loadOrCreateIdentity(path.join(tmp.dir, 'gw'));
  const file = readFileSync(path.join(VIDEOS_DIR, 'ozlu_vehicle_survaillance.mp4'));
  const chunkBytes = 256 * 1024;
  const chunks: Buffer[] = [];
  for (let off = 0; off < file.length; off += chunkBytes) chunks.push(file.subarray(off, off + chunkBytes));

  /** Feeds a whole clip, then puts back on disk the partial a crash just before its removal would leave. */
  function finishWithSnapshot(outDir: string, clipId: string): { outcomes: ClipOutcome[]; partial: string; snapshot: string } {
    const signed: SignedFileMeta = {
      clipId, camera: 'cam1', eventId: null, startTs: '2026-11-29T12:00:00.000Z', endTs: '2026-11-29T12:00:10.000Z',
      bytes: file.length, chunks: chunks.length, sha256: createHash('sha256').update(file).digest('hex'), contentType: 'video/mp4',
    };
    const meta = Buffer.from(JSON.stringify({ ...signed, signature: gw.sign(fileSigningPayload(signed)) }));
    const assembler = new ClipAssembler({ outDir, publicKey: () => gw.publicKeyPem, incompleteTimeoutMs: 60000 });
    assembler.onMeta('gw1', clipId, meta);
    chunks.slice(0, -1).forEach((c, i) => assembler.onChunk('gw1', clipId, i, c));
    const partial = path.join(outDir, '.partial', 'gw1', clipId);
    const snapshot = path.join(outDir, `snapshot-${clipId}`);
    cpSync(partial, snapshot, { recursive: true });
    const last = chunks.length - 1;
    const outcomes = assembler.onChunk('gw1', clipId, last, chunks[last]);
    // The crash came after the last chunk was on disk, before the partial was removed.
    cpSync(snapshot, partial, { recursive: true });
    writeFileSync(path.join(partial, `${last}.chunk`), chunks[last]);
    return { outcomes, partial, snapshot };
  }

  it('a clip whose meta.json was written is not assembled or reported again', () => {
    const outDir = path.join(tmp.dir, 'finished');
    const { outcomes, partial } = finishWithSnapshot(outDir, 'done-clip');
    assert.deepEqual(outcomes.map((o) => o.kind), ['ok']);
    const again = new ClipAssembler({ outDir, publicKey: () => gw.publicKeyPem, incompleteTimeoutMs: 60000 });
    assert.equal(again.pending, 0, 'the leftover partial of a finished clip is not pending');
    assert.deepEqual(again.onKey('gw1'), []);
    assert.ok(!existsSync(partial), 'the leftover partial is removed');
    assert.ok(readFileSync(path.join(outDir, 'clips', 'gw1', 'done-clip.mp4')).equals(file));
  });

  it('a clip renamed into place but without its meta.json yet is assembled again, identical, once', () => {
    const outDir = path.join(tmp.dir, 'renamed');
    const { outcomes } = finishWithSnapshot(outDir, 'half-clip');
    assert.deepEqual(outcomes.map((o) => o.kind), ['ok']);
    rmSync(path.join(outDir, 'clips', 'gw1', 'half-clip.meta.json')); // the crash came before this write
    const again = new ClipAssembler({ outDir, publicKey: () => gw.publicKeyPem, incompleteTimeoutMs: 60000 });
    assert.equal(again.pending, 1);
    const redone = again.onKey('gw1');
    assert.deepEqual(redone.map((o) => o.kind), ['ok']);
    assert.ok(readFileSync(path.join(outDir, 'clips', 'gw1', 'half-clip.mp4')).equals(file));
    assert.ok(existsSync(path.join(outDir, 'clips', 'gw1', 'half-clip.meta.json')));
    assert.deepEqual(again.onKey('gw1'), [], 'reported once');
  });
});
