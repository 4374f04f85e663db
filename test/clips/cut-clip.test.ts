import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { cutClip } from '../../agent/clips/cut-clip.js';
import { Recordings } from '../../agent/clips/recordings.js';
import { AgentError } from '../../agent/core/errors.js';
import { tempDir, VIDEOS_DIR } from '../support/tmp.js';
import { inspectMedia, makeSegments } from './support/segments.js';

const BASE = 1_790_000_000_000;

function rejectsWith(code: string) {
  return (err: unknown) => err instanceof AgentError && err.code === code;
}

describe('clips: cutClip on real recording segments', function () {
  this.timeout(120000);
  const tmp = tempDir('clips-cut-');
  const recDir = path.join(tmp.dir, 'recordings');
  const recordings = new Recordings({ dir: recDir, retentionHours: 24 * 365 * 10, maxBytes: 1 << 30 });

  before(() => {
    // intel_car-detection: H.264, key frames every 4.8 s; 10 s segments split on them (two GOPs each).
    makeSegments({ video: path.join(VIDEOS_DIR, 'intel_car-detection.mp4'), cameraDir: path.join(recDir, 'lot'), baseMs: BASE, container: 'ts', maxSeconds: 10 });
    // ozlu_vehicle: H.264, key frames every 2 s; MP4 segments of about 4 s.
    makeSegments({ video: path.join(VIDEOS_DIR, 'ozlu_vehicle_survaillance.mp4'), cameraDir: path.join(recDir, 'street'), baseMs: BASE, container: 'mp4', maxSeconds: 5 });
    // bgslib: MPEG-4 Part 2 (an older CCTV codec), key frames every 12 s, some frames with DTS only.
    makeSegments({ video: path.join(VIDEOS_DIR, 'bgslib_video02.avi'), cameraDir: path.join(recDir, 'highway'), baseMs: BASE, container: 'ts', maxSeconds: 13, demuxParse: 'avidemux ! mpeg4videoparse config-interval=-1' });
  });
  after(() => tmp.cleanup());

  it('indexes closed segments and ignores one still being written', () => {
    writeFileSync(path.join(recDir, 'lot', 'part00099.ts'), Buffer.alloc(1000));
    const segs = recordings.segments('lot');
    assert.ok(segs.length >= 3, `segments: ${segs.length}`);
    assert.equal(segs[0].startTs, BASE);
    for (let i = 1; i < segs.length; i++) assert.equal(segs[i].startTs, segs[i - 1].endTs, 'segments are contiguous');
    assert.ok(segs.every((s) => !s.path.endsWith('part00099.ts')));
    assert.equal(recordings.recordedUntil('lot'), segs[segs.length - 1].endTs);
  });

  it('cuts an MP4 across TS segments that starts on the key frame at or before fromMs and covers the range', async () => {
    const fromMs = BASE + 15000;
    const toMs = BASE + 22000;
    const outFile = path.join(tmp.dir, 'out', 'lot.mp4');
    const r = await cutClip({ recordings, cameraId: 'lot', fromMs, toMs, outFile });
    // Key frames are at 0, 4.8, 9.6, 14.4 ... s: the last one at or before 15 s is 14.4 s.
    assert.equal(r.startMs, BASE + 14400);
    assert.ok(r.endMs >= toMs - 100 && r.endMs <= toMs, `endMs ${r.endMs}`);
    assert.equal(r.codec, 'video/x-h264');
    assert.deepEqual(r.skipped, []);
    const media = inspectMedia(outFile);
    assert.equal(media.container, 'video/quicktime');
    assert.equal(media.video, 'video/x-h264');
    assert.equal(media.decodeError, null);
    assert.equal(media.firstIsKeyframe, true);
    assert.equal(media.decodedFrames, r.frames);
    assert.ok(media.durationS >= (toMs - (BASE + 14400)) / 1000 - 0.1, `duration ${media.durationS}`);
    assert.ok(media.durationS <= (toMs - (BASE + 14400)) / 1000 + 0.5, `duration ${media.durationS}`);
    assert.equal(r.bytes, readFileSync(outFile).length);
  });

  it('cuts from MP4 segments too, across a segment boundary', async () => {
    const segs = recordings.segments('street');
    const boundary = segs[1].startTs;
    const fromMs = boundary - 1000;
    const toMs = boundary + 3000;
    const r = await cutClip({ recordings, cameraId: 'street', fromMs, toMs, outFile: path.join(tmp.dir, 'out', 'street.mp4') });
    assert.ok(r.startMs <= fromMs && r.startMs > fromMs - 2100, `starts on the key frame before fromMs (every 2 s): ${r.startMs - fromMs}`);
    const media = inspectMedia(r.file);
    assert.equal(media.decodeError, null);
    assert.equal(media.firstIsKeyframe, true);
    assert.ok(media.durationS >= (toMs - fromMs) / 1000, `duration ${media.durationS}`);
  });

  it('takes fractional milliseconds (event times are not whole)', async () => {
    const r = await cutClip({ recordings, cameraId: 'lot', fromMs: BASE + 5000.25, toMs: BASE + 7000.75, outFile: path.join(tmp.dir, 'out', 'fraction.mp4') });
    assert.equal(r.startMs, BASE + 4800);
  });

  it('cuts MPEG-4 Part 2 recordings too', async () => {
    const segs = recordings.segments('highway');
    const fromMs = segs[1].startTs + 3000;
    const r = await cutClip({ recordings, cameraId: 'highway', fromMs, toMs: fromMs + 12000, outFile: path.join(tmp.dir, 'out', 'highway.mp4') });
    assert.equal(r.codec, 'video/mpeg');
    assert.equal(r.startMs, segs[1].startTs, 'the key frame opening the segment');
    const media = inspectMedia(r.file);
    assert.equal(media.video, 'video/mpeg');
    assert.equal(media.decodeError, null);
    assert.equal(media.firstIsKeyframe, true);
    assert.ok(media.durationS >= 14.9, `duration ${media.durationS}`);
  });

  it('closes up a camera restart between segments (its timestamps start over) into one continuous clip', async () => {
    // Two recording runs of the same camera, 10 s apart: the second run's TS timestamps start again.
    const dir = path.join(recDir, 'restarted');
    const first = makeSegments({ video: path.join(VIDEOS_DIR, 'intel_car-detection.mp4'), cameraDir: dir, baseMs: BASE, container: 'ts', maxSeconds: 10 });
    const second = makeSegments({ video: path.join(VIDEOS_DIR, 'intel_car-detection.mp4'), cameraDir: dir, baseMs: first[first.length - 1].endTs + 10_000, container: 'ts', maxSeconds: 10 });
    for (const seg of [...first, ...second]) recordings.add(seg);
    const fromMs = BASE + 25_000;
    const toMs = second[0].startTs + 5_000;
    const r = await cutClip({ recordings, cameraId: 'restarted', fromMs, toMs, outFile: path.join(tmp.dir, 'out', 'restarted.mp4') });
    assert.equal(r.startMs, BASE + 24_000, 'the key frame at or before fromMs (19.2 + 4.8 s)');
    assert.ok(r.endMs >= toMs - 100 && r.endMs <= toMs, `endMs ${r.endMs}`);
    const media = inspectMedia(r.file);
    assert.equal(media.decodeError, null);
    assert.equal(media.firstIsKeyframe, true);
    assert.equal(media.decodedFrames, r.frames);
    const recorded = (first[first.length - 1].endTs - r.startMs + (r.endMs - second[0].startTs)) / 1000;
    assert.ok(Math.abs(media.durationS - recorded) < 0.3, `duration ${media.durationS} s: the recorded ${recorded} s without the 10 s gap`);
  });

  it('closes up a gap in one run (a segment never written: its timestamps jump ahead)', async () => {
    const dir = path.join(recDir, 'gap');
    const segs = makeSegments({ video: path.join(VIDEOS_DIR, 'intel_car-detection.mp4'), cameraDir: dir, baseMs: BASE, container: 'ts', maxSeconds: 10 });
    rmSync(segs[1].path);
    for (const seg of [segs[0], segs[2]]) recordings.add(seg);
    const r = await cutClip({ recordings, cameraId: 'gap', fromMs: BASE + 5000, toMs: BASE + 24_000, outFile: path.join(tmp.dir, 'out', 'gap.mp4') });
    assert.equal(r.startMs, BASE + 4800);
    const media = inspectMedia(r.file);
    assert.equal(media.decodeError, null);
    assert.equal(media.decodedFrames, r.frames);
    const recorded = (segs[0].endTs - r.startMs + (r.endMs - segs[2].startTs)) / 1000;
    assert.ok(Math.abs(media.durationS - recorded) < 0.3, `duration ${media.durationS} s: the recorded ${recorded} s without the 9.6 s gap`);
  });

  it('reports CLIP_NO_RECORDING when the segments were deleted outside the agent, and forgets them', async () => {
    const dir = path.join(recDir, 'wiped');
    const segs = makeSegments({ video: path.join(VIDEOS_DIR, 'intel_car-detection.mp4'), cameraDir: dir, baseMs: BASE, container: 'ts', maxSeconds: 10 });
    for (const seg of segs) recordings.add(seg);
    rmSync(dir, { recursive: true });
    await assert.rejects(cutClip({ recordings, cameraId: 'wiped', fromMs: BASE + 1000, toMs: BASE + 5000, outFile: path.join(tmp.dir, 'out', 'wiped.mp4') }), rejectsWith('CLIP_NO_RECORDING'));
    assert.deepEqual(recordings.overlapping('wiped', BASE + 1000, BASE + 5000), []);
  });

  it('leaves out a corrupt segment and cuts the rest', async () => {
    const segs = recordings.segments('lot');
    const last = segs[segs.length - 1];
    const bogus = path.join(recDir, 'lot', `${last.endTs}_${last.endTs + 5000}.ts`);
    writeFileSync(bogus, Buffer.alloc(50000, 0x47));
    recordings.add({ cameraId: 'lot', path: bogus, startTs: last.endTs, endTs: last.endTs + 5000, bytes: 50000 }); // ingest's camera.segment
    const r = await cutClip({ recordings, cameraId: 'lot', fromMs: last.startTs, toMs: last.endTs + 4000, outFile: path.join(tmp.dir, 'out', 'partial.mp4') });
    assert.deepEqual(r.skipped.map((s) => s.path), [bogus]);
    assert.ok(r.endMs <= last.endTs);
    assert.equal(inspectMedia(r.file).decodeError, null);
  });

  it('cuts a segment a power loss cut short (mid-packet) up to its last whole frame', async () => {
    const segs = recordings.segments('lot');
    const dir = path.join(recDir, 'powerloss');
    mkdirSync(dir, { recursive: true });
    const whole = readFileSync(segs[0].path);
    const file = path.join(dir, path.basename(segs[0].path));
    writeFileSync(file, whole.subarray(0, Math.floor(whole.length * 0.6) + 77));
    recordings.add({ ...segs[0], cameraId: 'powerloss', path: file });
    const r = await cutClip({ recordings, cameraId: 'powerloss', fromMs: segs[0].startTs, toMs: segs[0].endTs, outFile: path.join(tmp.dir, 'out', 'powerloss.mp4') });
    assert.equal(r.startMs, segs[0].startTs);
    assert.ok(r.endMs < segs[0].endTs - 2000, `ends where the file does: ${r.endMs - segs[0].startTs} ms`);
    const media = inspectMedia(r.file);
    assert.equal(media.decodeError, null);
    assert.equal(media.decodedFrames, r.frames);
  });

  it('fails with CLIP_CUT_FAILED when the only segment is corrupt, and writes no file', async () => {
    const dir = path.join(recDir, 'broken');
    mkdirSync(dir, { recursive: true });
    const file = path.join(dir, `${BASE}_${BASE + 10000}.mp4`);
    writeFileSync(file, Buffer.from('not a video at all'.repeat(1000)));
    recordings.add({ cameraId: 'broken', path: file, startTs: BASE, endTs: BASE + 10000, bytes: 18000 });
    const outFile = path.join(tmp.dir, 'out', 'broken.mp4');
    await assert.rejects(cutClip({ recordings, cameraId: 'broken', fromMs: BASE + 1000, toMs: BASE + 5000, outFile }), rejectsWith('CLIP_CUT_FAILED'));
    assert.equal(existsSync(outFile), false);
  });

  it('reports CLIP_NO_RECORDING, CLIP_RANGE_INVALID and CLIP_TOO_LONG', async () => {
    const outFile = path.join(tmp.dir, 'out', 'never.mp4');
    await assert.rejects(cutClip({ recordings, cameraId: 'lot', fromMs: BASE - 60000, toMs: BASE - 30000, outFile }), rejectsWith('CLIP_NO_RECORDING'));
    await assert.rejects(cutClip({ recordings, cameraId: 'nosuchcamera', fromMs: BASE, toMs: BASE + 1000, outFile }), rejectsWith('CLIP_NO_RECORDING'));
    await assert.rejects(cutClip({ recordings, cameraId: 'lot', fromMs: BASE + 5000, toMs: BASE + 5000, outFile }), rejectsWith('CLIP_RANGE_INVALID'));
    await assert.rejects(cutClip({ recordings, cameraId: 'lot', fromMs: BASE, toMs: BASE + 20000, outFile, maxSeconds: 10 }), rejectsWith('CLIP_TOO_LONG'));
    assert.equal(existsSync(outFile), false);
  });
});
