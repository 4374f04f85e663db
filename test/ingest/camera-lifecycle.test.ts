import assert from 'node:assert/strict';
import path from 'node:path';
import { cameraProcessesOf } from '../support/camera-processes.js';
import { tempDir, VIDEOS_DIR } from '../support/tmp.js';
import { waitFor } from '../support/wait.js';
import { cameras, frameCount, harness, type Harness } from './helpers.js';

const fastRetry = { stallTimeoutSeconds: 5, backoff: { initialMs: 300, maxMs: 1000 }, record: { enabled: false } };

describe('camera ingest: a camera process that dies, a file that ends (real GStreamer)', function () {
  this.timeout(120000);
  const tmp = tempDir('ingest-lifecycle-');
  const harnesses: Harness[] = [];
  const start = async (list: Array<Record<string, unknown>>, dir: string): Promise<Harness> => {
    const h = harness(cameras(list), path.join(tmp.dir, dir));
    harnesses.push(h);
    await h.manager.start();
    return h;
  };
  after(async () => {
    for (const h of harnesses) await h.manager.stop();
    tmp.cleanup();
  });

  it('a camera process killed from outside (a native crash, an OOM kill) is reported CAMERA_PROCESS_CRASHED and respawned', async () => {
    const h = await start([{ id: 'pattern', source: { kind: 'test', pattern: 'ball' }, ...fastRetry }], 'crash');
    const dataDir = path.join(tmp.dir, 'crash');
    await waitFor(() => h.manager.stats().pattern.state === 'streaming' && frameCount(h, 'pattern') > 0, { what: 'the pattern camera streaming' });
    const [victim, ...others] = cameraProcessesOf(dataDir);
    assert.ok(victim, 'its camera process is running');
    assert.deepEqual(others, [], 'one process for one camera');
    process.kill(victim, 'SIGKILL');

    await waitFor(() => h.states.find((s) => s.cameraId === 'pattern' && s.state === 'offline'), { what: 'the camera reported offline' });
    const offline = h.states.find((s) => s.cameraId === 'pattern' && s.state === 'offline');
    assert.equal(offline?.code, 'CAMERA_PROCESS_CRASHED', JSON.stringify(h.states));
    const framesBefore = h.frames.get('pattern')?.at(-1)?.seq;
    await waitFor(() => h.manager.stats().pattern.state === 'streaming' && h.frames.get('pattern')?.at(-1)?.seq !== framesBefore, { what: 'streaming again after the respawn' });
    const stats = h.manager.stats().pattern;
    assert.equal(stats.reconnects, 1);
    assert.equal(stats.lastError?.code, 'CAMERA_PROCESS_CRASHED');
    const respawned = cameraProcessesOf(dataDir);
    assert.equal(respawned.length, 1, 'one new process');
    assert.notEqual(respawned[0], victim, 'a new process, not the killed one');
  });

  it('a file camera without loop ends: offline with CAMERA_STREAM_ENDED, its process gone, never retried', async () => {
    // `missing` fails and retries on the same back-off: once it has retried three times, a retry of
    // the ended camera would have happened too.
    const h = await start([{ id: 'once', source: { kind: 'file', path: path.join(VIDEOS_DIR, 'ozlu_vehicle_survaillance.mp4'), loop: false, realtime: false }, ...fastRetry }], 'ended');
    const clock = await start([{ id: 'missing', source: { kind: 'file', path: path.join(tmp.dir, 'nope.mp4') }, ...fastRetry }], 'clock');
    await waitFor(() => h.manager.stats().once.lastError?.code === 'CAMERA_STREAM_ENDED', { timeoutMs: 90000, what: `the file ending: ${JSON.stringify(h.manager.stats().once)}` });
    assert.ok(frameCount(h, 'once') > 0, 'it streamed before it ended');
    const ended = h.states.filter((s) => s.cameraId === 'once' && s.state === 'offline');
    assert.deepEqual(ended.map((s) => s.code), ['CAMERA_STREAM_ENDED'], 'offline once, for the end of the file');
    const retriesAtEnd = clock.manager.stats().missing.reconnects;
    await waitFor(() => clock.manager.stats().missing.reconnects >= retriesAtEnd + 3, { what: 'three retries of the missing file' });
    const once = h.manager.stats().once;
    assert.equal(once.state, 'offline');
    assert.equal(once.reconnects, 0, 'not retried');
    assert.deepEqual(h.states.filter((s) => s.cameraId === 'once').slice(-1).map((s) => [s.state, s.code]), [['offline', 'CAMERA_STREAM_ENDED']]);
    await waitFor(() => cameraProcessesOf(path.join(tmp.dir, 'ended')).length === 0, { what: 'the ended camera\'s process gone' });
  });

  it('a looping file camera relaunches its child at the end of the file: still streaming, not a reconnect, recording goes on', async () => {
    // The shortest clip (about 8 s), paced like a camera.
    const h = await start([{ id: 'loop', source: { kind: 'file', path: path.join(VIDEOS_DIR, 'ozlu_pedestrian_survaillance.mp4'), loop: true }, ...fastRetry, record: { enabled: true } }], 'loop');
    const dataDir = path.join(tmp.dir, 'loop');
    const pids = new Set<number>();
    await waitFor(() => {
      for (const pid of cameraProcessesOf(dataDir)) pids.add(pid);
      return pids.size >= 3 && h.segments.filter((s) => s.cameraId === 'loop').length >= 2;
    }, { timeoutMs: 90000, intervalMs: 20, what: `three runs of the clip, two segments: ${JSON.stringify(h.manager.stats().loop)}` });
    const stats = h.manager.stats().loop;
    assert.equal(stats.state, 'streaming');
    assert.equal(stats.reconnects, 0, 'the end of a looping file is no reconnect');
    assert.equal(stats.lastError, undefined, 'nor an error');
    assert.deepEqual(h.states.filter((s) => s.cameraId === 'loop').map((s) => s.state), ['connecting', 'streaming'], 'never offline in between');
    const seqs = h.frames.get('loop')?.map((f) => f.seq) ?? [];
    assert.ok(seqs.every((seq, i) => i === 0 || seq === seqs[i - 1] + 1), 'frame numbers run on across the relaunches');
  });
});
