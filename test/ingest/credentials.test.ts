import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { recordingDir } from '../../agent/ingest/pipeline-plan.js';
import { cameraProcessesOf } from '../support/camera-processes.js';
import { commandLines } from '../support/command-lines.js';
import { RtspTestServer } from '../support/rtsp.js';
import { tempDir, VIDEOS_DIR } from '../support/tmp.js';
import { waitFor } from '../support/wait.js';
import { cameras, frameCount, harness, type Harness } from './helpers.js';

/**
 * gst-launch-1.0 takes its pipeline only on its command line, which every local user can read: a
 * camera with a password is forked by the camera zygote, its launcher taking the password on stdin
 * (without a zygote: the Node launcher that takes the pipeline on stdin instead).
 */
describe('camera ingest: a camera with a password', function () {
  this.timeout(180000);
  const tmp = tempDir('ingest-credentials-');
  // '/', '@' and ':' in it, and a marker unique to this run (other suites' cameras carry their own).
  const marker = `S3cr${randomBytes(4).toString('hex')}`;
  const password = `${marker}/et@pw:42`;
  const server = new RtspTestServer({ file: path.join(VIDEOS_DIR, 'intel_car-detection.mp4'), user: 'viewer', password });
  let h: Harness | undefined;

  before(() => server.start());
  after(async () => {
    await h?.manager.stop();
    await server.stop();
    tmp.cleanup();
  });

  it('streams and records while no process\'s command line holds the password; a wrong one is CAMERA_AUTH_FAILED', async () => {
    h = harness(
      cameras([
        { id: 'gate', source: { kind: 'rtsp', url: server.url, username: 'viewer', password } },
        { id: 'wrong', source: { kind: 'rtsp', url: server.url, username: 'viewer', password: `${marker}-not-it` }, record: { enabled: false }, backoff: { initialMs: 500, maxMs: 1000 } },
      ]),
      tmp.dir,
      { segmentSeconds: 2 },
    );
    const harnessNow = h;
    await harnessNow.manager.start();
    const leaks = new Map<number, string>();
    let scans = 0;
    await waitFor(() => {
      scans++;
      for (const [pid, line] of commandLines()) if (pid !== server.pid && line.includes(marker)) leaks.set(pid, line);
      const segments = readdirSync(recordingDir(tmp.dir, 'gate')).filter((f) => /^\d+_\d+\.ts$/.test(f));
      return frameCount(harnessNow, 'gate') >= 20 && segments.length >= 2 && harnessNow.states.some((s) => s.cameraId === 'wrong' && s.code === 'CAMERA_AUTH_FAILED');
    }, { timeoutMs: 150000, intervalMs: 20, what: `20 frames and two segments from gate, wrong refused: ${JSON.stringify(harnessNow.manager.stats())}` });
    assert.ok(scans > 10, 'the command lines were read while the cameras ran');
    const gate = cameraProcessesOf(tmp.dir).map((pid) => readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')).find((argv) => argv[1] === 'gate');
    assert.equal(gate?.[0], 'edge-camera', 'the password camera runs as a fork of the camera zygote, no V8 of its own');
    assert.deepEqual([...leaks.values()], [], 'a command line held the camera password');
    const frame = harnessNow.frames.get('gate')?.at(-1);
    assert.equal(frame?.data.length, (640 * 360 * 3) / 2, 'a whole I420 frame at the detect size');
  });
});
