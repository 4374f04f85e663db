import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { loadOrCreateIdentity } from '../../agent/identity/gateway-identity.js';
import { Receiver } from '../../agent/receiver/receiver.js';
import { startEmbeddedBroker } from '../../agent/runtime/demo-broker.js';
import { tempDir, VIDEOS_DIR } from '../support/tmp.js';
import { waitFor } from '../support/wait.js';
import { GatewayPublisher } from './support/gateway-publisher.js';

/** The demo's embedded broker speaks MQTT 3.1.1 only: the receiver must work there too. */
describe('receiver on the demo broker (aedes, MQTT 3.1.1)', function () {
  this.timeout(60000);
  const tmp = tempDir('receiver-311-');

  after(() => tmp.cleanup());

  it('stores an event and a verified clip', async () => {
    const broker = await startEmbeddedBroker();
    const gw = new GatewayPublisher(broker.url, 'edge', 'gw-demo', loadOrCreateIdentity(path.join(tmp.dir, 'gw')));
    const receiver = new Receiver({ brokerUrl: broker.url, outDir: path.join(tmp.dir, 'out'), protocolVersion: 4, clientId: 'demo-central' });
    try {
      await gw.connect({ protocolVersion: 4 });
      await gw.publishStatus();
      await receiver.start();
      const clip = readFileSync(path.join(VIDEOS_DIR, 'ozlu_pedestrian_survaillance.mp4'));
      const got = new Promise<string>((resolve) => receiver.on('clip', (c) => resolve(c.file)));
      await gw.publishEvent({ id: 'd1', seq: 1, type: 'start', camera: 'cam1' });
      await gw.publishClip(clip, { clipId: 'demo-clip' });
      assert.ok(readFileSync(await got).equals(clip));
      await waitFor(() => receiver.stats().events === 1, { what: 'the event' });
    } finally {
      await receiver.stop();
      await gw.close();
      await broker.close();
    }
  });
});
