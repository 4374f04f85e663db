import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { RtspTestServer } from '../support/rtsp.js';
import { tempDir, VIDEOS_DIR } from '../support/tmp.js';
import { waitFor } from '../support/wait.js';
import { parseSegmentName } from '../../agent/ingest/segment-files.js';
import { cameras, harness, type Harness } from './helpers.js';

/** Decodes a segment with GStreamer; returns the decoded frame count and whether the first buffer is a key frame. */
function inspectSegment(file: string): { frames: number; firstIsKey: boolean; codec: string } {
  const res = spawnSync(
    'gst-launch-1.0',
    ['-v', 'filesrc', `location=${file}`, '!', 'tsdemux', '!', 'h264parse', '!', 'identity', 'name=first', 'silent=false', '!', 'avdec_h264', '!', 'fakesink', 'name=out', 'silent=false'],
    { encoding: 'utf8', timeout: 60000 },
  );
  assert.equal(res.status, 0, `gst-launch failed on ${file}: ${res.stderr}${res.stdout.slice(-2000)}`);
  const chains = res.stdout.split('\n').filter((l) => l.includes('first: last-message = chain'));
  const frames = res.stdout.split('\n').filter((l) => l.includes('out: last-message = chain')).length;
  const codec = /video\/x-h264/.test(res.stdout) ? 'h264' : 'unknown';
  return { frames, firstIsKey: chains.length > 0 && !/delta-unit/.test(chains[0]), codec };
}

describe('camera ingest: recording segments', function () {
  this.timeout(120000);
  const tmp = tempDir('ingest-rec-');
  const server = new RtspTestServer({ file: path.join(VIDEOS_DIR, 'intel_car-detection.mp4') });
  let h: Harness;

  before(async () => {
    await server.start();
    h = harness(
      cameras([
        { id: 'street', source: { kind: 'rtsp', url: server.url } },
        { id: 'pattern', source: { kind: 'test' } },
        { id: 'norec', source: { kind: 'test' }, record: { enabled: false } },
      ]),
      tmp.dir,
      { segmentSeconds: 2 },
    );
    h.manager.start();
    await waitFor(() => ['street', 'pattern'].every((id) => h.segments.filter((s) => s.cameraId === id).length >= 2), {
      timeoutMs: 90000,
      what: `two closed segments per camera: ${JSON.stringify(h.segments)}`,
    });
    await h.manager.stop();
  });

  after(async () => {
    await server.stop();
    tmp.cleanup();
  });

  it('closes segments as <startMs>_<endMs>.ts in recordings/<camera>/ and announces them', () => {
    for (const id of ['street', 'pattern']) {
      const dir = path.join(tmp.dir, 'recordings', id);
      const files = readdirSync(dir);
      assert.ok(files.length >= 2);
      assert.deepEqual(files.filter((f) => f.startsWith('.partial')), [], 'stop closes the open segment');
      for (const seg of h.segments.filter((s) => s.cameraId === id)) {
        assert.equal(path.dirname(seg.path), dir);
        const t = parseSegmentName(path.basename(seg.path));
        assert.deepEqual(t, { startTs: seg.startTs, endTs: seg.endTs });
        assert.ok(seg.endTs > seg.startTs && seg.endTs - seg.startTs < 10000, `${seg.startTs}..${seg.endTs}`);
        assert.ok(Math.abs(seg.endTs - Date.now()) < 5 * 60000, 'wall-clock times');
        assert.equal(seg.bytes, statSync(seg.path).size);
        assert.ok(seg.bytes > 1000);
      }
      const own = h.segments.filter((s) => s.cameraId === id).sort((a, b) => a.startTs - b.startTs);
      for (let i = 1; i < own.length; i++) assert.ok(own[i].startTs >= own[i - 1].endTs - 50, 'segments do not overlap');
    }
    assert.equal(h.segments.filter((s) => s.cameraId === 'norec').length, 0);
  });

  it('segments decode with GStreamer and start on a key frame', () => {
    for (const seg of h.segments.filter((s) => s.cameraId !== 'norec').slice(0, 4)) {
      const info = inspectSegment(seg.path);
      assert.equal(info.codec, 'h264');
      assert.ok(info.frames > 3, `${seg.path}: ${info.frames} frames`);
      assert.ok(info.firstIsKey, `${seg.path} must start on a key frame`);
    }
  });

  it('keeps the camera\'s own encoding (no re-encode): RTSP segments hold the source resolution', () => {
    const seg = h.segments.find((s) => s.cameraId === 'street');
    assert.ok(seg);
    const res = spawnSync('gst-launch-1.0', ['-v', 'filesrc', `location=${seg.path}`, '!', 'tsdemux', '!', 'h264parse', '!', 'fakesink'], { encoding: 'utf8', timeout: 60000 });
    // The clip is 768x432; detection frames are 640x360, so the recording was not re-encoded from them.
    assert.match(res.stdout, /width=\(int\)768, height=\(int\)432/);
  });
});
