import assert from 'node:assert/strict';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Recordings } from '../../agent/clips/recordings.js';
import type { RecordingSegment } from '../../agent/ingest/types.js';
import { tempDir } from '../support/tmp.js';

const NOW = 1_790_000_000_000;

describe('clips: the recordings index (scanned once, then kept from camera.segment)', () => {
  let tmp: ReturnType<typeof tempDir>;
  beforeEach(() => (tmp = tempDir('clips-index-')));
  afterEach(() => tmp.cleanup());

  const write = (cam: string, startMs: number, endMs: number, bytes = 100): RecordingSegment => {
    mkdirSync(path.join(tmp.dir, cam), { recursive: true });
    const file = path.join(tmp.dir, cam, `${startMs}_${endMs}.ts`);
    writeFileSync(file, Buffer.alloc(bytes, 1));
    return { cameraId: cam, path: file, startTs: startMs, endTs: endMs, bytes };
  };

  it('finds the segments from before a restart, then reads new ones from events, not from the folder', () => {
    const old = write('a', NOW - 20_000, NOW - 10_000);
    const rec = new Recordings({ dir: tmp.dir, retentionHours: 24, maxBytes: 1 << 30, now: () => NOW });
    assert.deepEqual(rec.segments('a').map((s) => s.path), [old.path]);
    const unannounced = write('a', NOW - 10_000, NOW);
    assert.deepEqual(rec.segments('a').map((s) => s.path), [old.path], 'a file without its camera.segment is not read');
    assert.equal(rec.recordedUntil('a'), NOW - 10_000);
    rec.add(unannounced);
    rec.add(unannounced);
    assert.deepEqual(rec.segments('a').map((s) => s.path), [old.path, unannounced.path], 'once, in time order');
    assert.equal(rec.recordedUntil('a'), NOW);
    const late = write('a', NOW - 30_000, NOW - 20_000);
    rec.add({ ...late, bytes: 0 }); // a size the event did not know is read from the file
    assert.deepEqual(rec.segments('a').map((s) => [s.startTs, s.bytes]), [[NOW - 30_000, 100], [NOW - 20_000, 100], [NOW - 10_000, 100]]);
    assert.deepEqual(rec.overlapping('a', NOW - 15_000, NOW - 12_000).map((s) => s.path), [old.path]);
    assert.equal(new Recordings({ dir: tmp.dir, retentionHours: 24, maxBytes: 1 << 30 }).segments('a').length, 3, 'the next start scans them all');
  });

  it('retention takes what it deletes out of the index', () => {
    const expired = write('b', NOW - 3 * 3600_000, NOW - 3 * 3600_000 + 10_000);
    const kept = write('b', NOW - 10_000, NOW);
    const rec = new Recordings({ dir: tmp.dir, retentionHours: 2, maxBytes: 1 << 30, now: () => NOW });
    assert.equal(rec.segments('b').length, 2);
    assert.equal(rec.enforceRetention().deletedFiles, 1);
    assert.deepEqual(rec.segments('b').map((s) => s.path), [kept.path]);
    assert.deepEqual(rec.overlapping('b', expired.startTs, expired.endTs), []);
    assert.equal(rec.totalBytes(), 100);
  });

  it('on a full disk frees the oldest closed segments of any camera first, never a pinned one or one being written', () => {
    const oldestPinned = write('a', NOW - 50_000, NOW - 40_000);
    const older = write('b', NOW - 40_000, NOW - 30_000);
    const old = write('a', NOW - 30_000, NOW - 20_000);
    const newest = write('b', NOW - 20_000, NOW - 10_000);
    const open = path.join(tmp.dir, 'a', 'segment-00042.ts'); // still being written: no closed name
    writeFileSync(open, Buffer.alloc(100, 1));
    const rec = new Recordings({ dir: tmp.dir, retentionHours: 24, maxBytes: 1 << 30, now: () => NOW });
    const unpin = rec.pin([oldestPinned.path]);
    assert.equal(rec.freeOldest(150), 200, 'whole segments, oldest first, until enough is freed');
    assert.deepEqual([...rec.segments('a'), ...rec.segments('b')].map((s) => s.path), [oldestPinned.path, newest.path]);
    assert.deepEqual([older.path, old.path].filter((f) => existsSync(f)), [], 'deleted from disk');
    assert.equal(rec.freeOldest(1 << 20), 100, 'then the newest; the pinned one and the open one stay');
    assert.ok(existsSync(oldestPinned.path) && existsSync(open));
    unpin();
    assert.equal(rec.freeOldest(1), 100);
  });
});
