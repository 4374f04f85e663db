import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Outbox } from '../../agent/outbox/outbox.js';
import { MqttUplink } from '../../agent/uplink/mqtt-uplink.js';
import { MosquittoBroker } from '../support/mosquitto.js';
import { waitFor } from '../support/wait.js';
import { mqttConfig, quietLogger } from '../uplink/helpers.js';
import { clipMeta, outboxConfig, outboxTestScope } from './helpers.js';
import { Receiver, testSigner } from './receiver.js';

describe('Outbox drainer (real LevelDB, real Mosquitto)', function () {
  const { dir, cleanups } = outboxTestScope();

  it('resumes an interrupted file transfer from the first unacknowledged chunk', async () => {
    const broker = await new MosquittoBroker({ persistence: true }).start();
    cleanups.push(() => broker.dispose());
    const signer = testSigner();
    // Capped at 128 KiB/s so the broker can be stopped half-way through the 1 MiB clip.
    const ob = await Outbox.open({ dir: dir(), config: outboxConfig({ bandwidthBytesPerSecond: 128 * 1024, inflight: 4 }), chunkBytes: 64 * 1024, sign: signer.sign, logger: quietLogger });
    cleanups.push(() => ob.close());
    const uplink = new MqttUplink({ mqtt: mqttConfig(broker.url), gatewayId: 'gw-resume', statusPayload: () => ({}), logger: quietLogger });
    cleanups.push(() => uplink.stop());
    const receiver = await new Receiver(broker.url, 'gw-resume').start();
    cleanups.push(() => receiver.stop());
    const data = randomBytes(1024 * 1024);
    await ob.enqueueFile('clip', data, clipMeta('resume-1'));
    uplink.start();
    ob.attach(uplink);
    await waitFor(() => ob.drainStats().sent >= 6, { what: 'part of the clip sent' });
    await broker.stop();
    const sentBefore = ob.drainStats().sent;
    await broker.start();
    await waitFor(() => receiver.files(signer.publicKeyPem).get('resume-1'), { timeoutMs: 60000, what: 'the clip completed after the outage' });
    assert.deepEqual(receiver.files(signer.publicKeyPem).get('resume-1')!.data, data);
    const total = 1 + 16; // meta + 16 chunks of 64 KiB
    // Only what was unacknowledged at the stop (at most the in-flight window) is sent twice.
    assert.ok(ob.drainStats().sent <= total + 4, `sent ${ob.drainStats().sent} messages for ${total} (${sentBefore} before the outage)`);
    assert.ok(sentBefore >= 6 && sentBefore < total);
  });

  it('caps upload bandwidth when outbox.bandwidthBytesPerSecond is set', async () => {
    const broker = await new MosquittoBroker().start();
    cleanups.push(() => broker.dispose());
    const signer = testSigner();
    const ob = await Outbox.open({ dir: dir(), config: outboxConfig({ bandwidthBytesPerSecond: 256 * 1024 }), chunkBytes: 64 * 1024, sign: signer.sign, logger: quietLogger });
    cleanups.push(() => ob.close());
    const uplink = new MqttUplink({ mqtt: mqttConfig(broker.url), gatewayId: 'gw-bw', statusPayload: () => ({}), logger: quietLogger });
    cleanups.push(() => uplink.stop());
    const receiver = await new Receiver(broker.url, 'gw-bw').start();
    cleanups.push(() => receiver.stop());
    for (let i = 0; i < 4; i++) await ob.enqueueFile('clip', randomBytes(192 * 1024), clipMeta(`bw-${i}`));
    uplink.start();
    await waitFor(() => uplink.connected, { what: 'connected' });
    const t0 = Date.now();
    ob.attach(uplink);
    await waitFor(() => receiver.files(signer.publicKeyPem).size === 4, { what: 'all clips' });
    const seconds = (Date.now() - t0) / 1000;
    // 768 KiB at 256 KiB/s with a one-second burst: at least ~2 s.
    assert.ok(seconds >= 1.8, `drained in ${seconds}s despite the cap`);
  });
});
