import assert from 'node:assert/strict';
import { existsSync, mkdirSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Recordings } from '../../agent/clips/recordings.js';
import { tempDir } from '../support/tmp.js';

const NOW = 1_790_000_000_000;
const H = 3600_000;

function segment(dir: string, cam: string, startMs: number, endMs: number, bytes: number): string {
  mkdirSync(path.join(dir, cam), { recursive: true });
  const file = path.join(dir, cam, `${startMs}_${endMs}.ts`);
  writeFileSync(file, Buffer.alloc(bytes, 1));
  return file;
}

describe('clips: recording retention', () => {
  let tmp: ReturnType<typeof tempDir>;
  beforeEach(() => (tmp = tempDir('clips-retention-')));
  afterEach(() => tmp.cleanup());

  it('deletes segments older than retentionHours and keeps newer ones and unfinished ones', () => {
    const old = segment(tmp.dir, 'a', NOW - 3 * H, NOW - 3 * H + 10000, 1000);
    const edge = segment(tmp.dir, 'b', NOW - 2 * H - 5000, NOW - 2 * H + 5000, 1000); // ends inside the window
    const fresh = segment(tmp.dir, 'a', NOW - 60000, NOW - 50000, 1000);
    const writing = path.join(tmp.dir, 'a', 'part00001.ts');
    writeFileSync(writing, Buffer.alloc(500));
    const r = new Recordings({ dir: tmp.dir, retentionHours: 2, maxBytes: 1 << 30, now: () => NOW }).enforceRetention();
    assert.equal(existsSync(old), false);
    assert.equal(existsSync(edge), true);
    assert.equal(existsSync(fresh), true);
    assert.equal(existsSync(writing), true);
    assert.deepEqual(r, { deletedFiles: 1, deletedBytes: 1000, remainingBytes: 2500, overBudget: false });
  });

  it('deletes an unfinished file a crash left behind once it is older than the retention', () => {
    const orphan = path.join(tmp.dir, 'a', 'part00001.ts');
    segment(tmp.dir, 'a', NOW - 60000, NOW - 50000, 10);
    writeFileSync(orphan, Buffer.alloc(500));
    utimesSync(orphan, (NOW - 5 * H) / 1000, (NOW - 5 * H) / 1000);
    new Recordings({ dir: tmp.dir, retentionHours: 2, maxBytes: 1 << 30, now: () => NOW }).enforceRetention();
    assert.equal(existsSync(orphan), false);
  });

  it('deletes the oldest segments of all cameras until the recordings fit in maxBytes', () => {
    const mb = 1 << 20;
    const a1 = segment(tmp.dir, 'a', NOW - 50000, NOW - 40000, mb);
    const b1 = segment(tmp.dir, 'b', NOW - 45000, NOW - 35000, mb);
    const a2 = segment(tmp.dir, 'a', NOW - 40000, NOW - 30000, mb);
    const b2 = segment(tmp.dir, 'b', NOW - 35000, NOW - 25000, mb);
    const rec = new Recordings({ dir: tmp.dir, retentionHours: 24, maxBytes: 2 * mb + 100, now: () => NOW });
    assert.equal(rec.totalBytes(), 4 * mb);
    const r = rec.enforceRetention();
    assert.deepEqual([a1, b1, a2, b2].map(existsSync), [false, false, true, true]);
    assert.deepEqual(r, { deletedFiles: 2, deletedBytes: 2 * mb, remainingBytes: 2 * mb, overBudget: false });
    assert.equal(rec.totalBytes(), 2 * mb);
  });

  it('never deletes a segment pinned by a clip being cut', () => {
    const mb = 1 << 20;
    const a1 = segment(tmp.dir, 'a', NOW - 50000, NOW - 40000, mb);
    const a2 = segment(tmp.dir, 'a', NOW - 40000, NOW - 30000, mb);
    const rec = new Recordings({ dir: tmp.dir, retentionHours: 24, maxBytes: mb, now: () => NOW });
    const release = rec.pin([a1]);
    const r = rec.enforceRetention();
    assert.deepEqual([existsSync(a1), existsSync(a2)], [true, false]);
    assert.equal(r.overBudget, false);
    release();
    rec.add({ cameraId: 'a', path: segment(tmp.dir, 'a', NOW - 30000, NOW - 20000, mb), startTs: NOW - 30000, endTs: NOW - 20000, bytes: mb }); // ingest's camera.segment
    rec.enforceRetention();
    assert.equal(existsSync(a1), false);
  });
});
