import assert from 'node:assert/strict';
import { resolveOnvifStreamUri } from '../../agent/ingest/onvif/resolve.js';
import { FakeOnvifDevice } from '../support/fake-onvif.js';
import { freePort } from '../support/ports.js';
import { RtspTestServer } from '../support/rtsp.js';
import { tempDir } from '../support/tmp.js';
import { waitFor } from '../support/wait.js';
import { cameras, harness, type Harness } from './helpers.js';

describe('camera ingest: ONVIF sources', function () {
  this.timeout(120000);
  const tmp = tempDir('ingest-onvif-');
  // The RTSP stream is real; the ONVIF device answering which URL to use is the small SOAP fake (the VM has no ONVIF camera).
  const server = new RtspTestServer({ user: 'onvif', password: 'pw' });
  let device: FakeOnvifDevice;
  let h: Harness;

  before(async () => {
    await server.start();
    device = await new FakeOnvifDevice({ username: 'onvif', password: 'pw', rtspUrl: server.url }).start();
    const nobodyListens = await freePort();
    h = harness(
      cameras([
        { id: 'onvif', source: { kind: 'onvif', host: '127.0.0.1', port: device.httpPort, username: 'onvif', password: 'pw' }, record: { enabled: false } },
        { id: 'lost', source: { kind: 'onvif', host: '127.0.0.1', port: nobodyListens }, record: { enabled: false }, backoff: { initialMs: 200, maxMs: 1000 } },
      ]),
      tmp.dir,
      { segmentSeconds: 2 },
      resolveOnvifStreamUri, // what the agent itself injects
    );
    await h.manager.start();
  });

  after(async () => {
    await h?.manager.stop();
    await device?.stop();
    await server.stop();
    tmp.cleanup();
  });

  it('resolves the stream URL from the ONVIF device and streams it with the ONVIF credentials', async () => {
    await waitFor(() => h.manager.stats().onvif.state === 'streaming' && (h.manager.latestFrame('onvif')?.seq ?? -1) >= 3, { timeoutMs: 60000, what: JSON.stringify(h.manager.stats()) });
    assert.equal(h.manager.latestFrame('onvif')?.width, 640);
    assert.ok(device.requests.some((r) => r.action === 'GetStreamUri' && r.auth === 'ok'), JSON.stringify(device.requests));
  });

  it('an ONVIF camera that does not answer is ONVIF_UNREACHABLE (the resolver\'s own code, passed through) and retried', async () => {
    await waitFor(() => h.manager.stats().lost.reconnects >= 2, { timeoutMs: 30000 });
    const lost = h.manager.stats().lost;
    assert.equal(lost.lastError?.code, 'ONVIF_UNREACHABLE');
    assert.match(lost.lastError?.message ?? '', /127\.0\.0\.1/);
    assert.equal(lost.state === 'offline' || lost.state === 'connecting', true);
  });
});
