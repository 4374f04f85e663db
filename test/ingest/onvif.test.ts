import assert from 'node:assert/strict';
import { RtspTestServer } from '../support/rtsp.js';
import { tempDir } from '../support/tmp.js';
import { waitFor } from '../support/wait.js';
import type { CameraSource } from '../../agent/config/schema/index.js';
import { cameras, harness, type Harness } from './helpers.js';

type OnvifSource = Extract<CameraSource, { kind: 'onvif' }>;

describe('camera ingest: ONVIF sources', function () {
  this.timeout(120000);
  const tmp = tempDir('ingest-onvif-');
  // The RTSP stream is real; only the ONVIF answer (which camera URL to use) is faked: the VM has no ONVIF camera.
  const server = new RtspTestServer({ user: 'onvif', password: 'pw' });
  let h: Harness;
  const asked: OnvifSource[] = [];

  before(async () => {
    await server.start();
    const resolve = async (source: OnvifSource): Promise<string> => {
      asked.push(source);
      if (source.host === '10.9.9.9') throw new Error('connect ETIMEDOUT 10.9.9.9:80');
      return server.url;
    };
    h = harness(
      cameras([
        { id: 'onvif', source: { kind: 'onvif', host: '127.0.0.1', port: 8080, username: 'onvif', password: 'pw' }, record: { enabled: false } },
        { id: 'lost', source: { kind: 'onvif', host: '10.9.9.9' }, record: { enabled: false }, backoff: { initialMs: 200, maxMs: 1000 } },
      ]),
      tmp.dir,
      { segmentSeconds: 2 },
      resolve,
    );
    h.manager.start();
  });

  after(async () => {
    await h?.manager.stop();
    await server.stop();
    tmp.cleanup();
  });

  it('resolves the stream URL through the injected resolver and streams it with the ONVIF credentials', async () => {
    await waitFor(() => h.manager.stats().onvif.state === 'streaming' && (h.manager.latestFrame('onvif')?.seq ?? -1) >= 3, { timeoutMs: 60000, what: JSON.stringify(h.manager.stats()) });
    assert.equal(h.manager.latestFrame('onvif')?.width, 640);
    assert.ok(asked.some((s) => s.host === '127.0.0.1' && s.port === 8080));
  });

  it('an ONVIF camera that does not answer is CAMERA_ONVIF_RESOLVE_FAILED and retried', async () => {
    await waitFor(() => h.manager.stats().lost.reconnects >= 2, { timeoutMs: 30000 });
    const lost = h.manager.stats().lost;
    assert.equal(lost.lastError?.code, 'CAMERA_ONVIF_RESOLVE_FAILED');
    assert.match(lost.lastError?.message ?? '', /10\.9\.9\.9/);
    assert.equal(lost.state === 'offline' || lost.state === 'connecting', true);
  });
});
