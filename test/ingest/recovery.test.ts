import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { freePort } from '../support/ports.js';
import { RtspTestServer } from '../support/rtsp.js';
import { tempDir, VIDEOS_DIR } from '../support/tmp.js';
import { waitFor } from '../support/wait.js';
import { cameras, frameCount, harness, type Harness } from './helpers.js';

const fastRetry = { stallTimeoutSeconds: 3, backoff: { initialMs: 300, maxMs: 2000 }, record: { enabled: false } };

describe('camera ingest: failures and recovery', function () {
  this.timeout(120000);
  const tmp = tempDir('ingest-recovery-');
  const server = new RtspTestServer({ file: path.join(VIDEOS_DIR, 'ozlu_vehicle_survaillance.mp4') });
  const authServer = new RtspTestServer({ user: 'viewer', password: 'right' });
  let h: Harness;

  /** A camera password from an environment variable the service was started without. */
  const UNSET_ENV = 'EDGE_TEST_RECOVERY_UNSET_PASSWORD';

  before(async () => {
    delete process.env[UNSET_ENV];
    await Promise.all([server.start(), authServer.start()]);
    const garbage = path.join(tmp.dir, 'garbage.mp4');
    writeFileSync(garbage, Buffer.from(Array.from({ length: 200000 }, (_, i) => (i * 7919) % 251)));
    const closedPort = await freePort();
    h = harness(
      cameras([
        { id: 'street', source: { kind: 'rtsp', url: server.url }, ...fastRetry },
        { id: 'garbage', source: { kind: 'file', path: garbage, loop: true }, ...fastRetry },
        { id: 'missing', source: { kind: 'file', path: path.join(tmp.dir, 'nope.mp4') }, ...fastRetry },
        { id: 'refused', source: { kind: 'rtsp', url: `rtsp://127.0.0.1:${closedPort}/cam` }, ...fastRetry },
        { id: 'badauth', source: { kind: 'rtsp', url: authServer.url, username: 'viewer', password: 'wrong' }, ...fastRetry },
        { id: 'noenv', source: { kind: 'rtsp', url: authServer.url, username: 'viewer', password: { env: UNSET_ENV } }, ...fastRetry },
      ]),
      tmp.dir,
    );
    await h.manager.start();
  });

  after(async () => {
    await h?.manager.stop();
    await Promise.all([server.stop(), authServer.stop()]);
    tmp.cleanup();
  });

  it('broken sources get a clear error code and are retried without hurting the agent', async () => {
    const expected: Record<string, string> = {
      garbage: 'CAMERA_STREAM_CORRUPT',
      missing: 'CAMERA_SOURCE_NOT_FOUND',
      refused: 'CAMERA_UNREACHABLE',
      badauth: 'CAMERA_AUTH_FAILED',
      noenv: 'SECRET_ENV_MISSING',
    };
    await waitFor(() => h.manager.stats().street.state === 'streaming' && Object.keys(expected).every((id) => h.manager.stats()[id].reconnects >= 1 && h.manager.stats()[id].lastError), {
      timeoutMs: 90000,
      what: `retries: ${JSON.stringify(h.manager.stats())}`,
    });
    const stats = h.manager.stats();
    for (const [id, code] of Object.entries(expected)) {
      assert.equal(stats[id].lastError?.code, code, `${id}: ${JSON.stringify(stats[id].lastError)}`);
      assert.notEqual(stats[id].state, 'streaming');
      assert.ok(h.states.some((s) => s.cameraId === id && s.state === 'offline' && s.code === code));
    }
    assert.ok(!JSON.stringify(stats).includes('wrong'), 'the password must not leak into stats');
    // The good camera never noticed.
    assert.equal(stats.street.state, 'streaming');
    assert.equal(stats.street.reconnects, 0);
  });

  it('a camera that goes away is retried and recovers by itself when it returns', async () => {
    await waitFor(() => frameCount(h, 'street') >= 5, { timeoutMs: 60000, what: 'street frames' });
    // First the camera freezes (process stopped: TCP stays open, nothing flows) — a stall...
    process.kill(server.pid!, 'SIGSTOP');
    await waitFor(() => h.manager.stats().street.lastError?.code === 'CAMERA_STALLED', { timeoutMs: 30000, what: `stall detected: ${JSON.stringify(h.manager.stats().street)}` });
    const during = h.manager.stats().street;
    assert.ok(['offline', 'connecting'].includes(during.state));
    // ...then it dies altogether.
    await server.kill();
    // Let it fail a few times against the closed port before the camera comes back.
    await waitFor(() => h.manager.stats().street.reconnects >= 1, { timeoutMs: 30000, what: 'reconnect attempts' });
    const seqBefore = h.manager.latestFrame('street')?.seq ?? -1;
    await server.start();
    await waitFor(() => h.manager.stats().street.state === 'streaming' && (h.manager.latestFrame('street')?.seq ?? -1) > seqBefore + 3, {
      timeoutMs: 60000,
      what: `street back: ${JSON.stringify(h.manager.stats().street)}`,
    });
    const after = h.manager.stats().street;
    assert.ok(after.reconnects >= 1);
    const seq = h.states.filter((s) => s.cameraId === 'street').map((s) => s.state);
    assert.deepEqual(seq.slice(0, 3), ['connecting', 'streaming', 'offline']);
    assert.ok(seq.includes('connecting'));
    assert.equal(seq[seq.length - 1], 'streaming');
  });
});
