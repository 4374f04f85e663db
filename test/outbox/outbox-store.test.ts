import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { Outbox } from '../../agent/outbox/outbox.js';
import { OutboxStore } from '../../agent/outbox/store.js';
import { MqttUplink } from '../../agent/uplink/mqtt-uplink.js';
import { MosquittoBroker } from '../support/mosquitto.js';
import { tempDir } from '../support/tmp.js';
import { waitFor } from '../support/wait.js';
import { mqttConfig, quietLogger } from '../uplink/helpers.js';
import { clipMeta, outboxConfig } from './helpers.js';
import { Receiver, testSigner } from './receiver.js';
import { objectEvent } from '../support/object-event.js';

describe('Outbox store (real LevelDB)', function () {
  const cleanups: Array<() => Promise<void> | void> = [];
  afterEach(async () => {
    while (cleanups.length) await cleanups.pop()!();
  });
  function dir(): string {
    const t = tempDir('edge-outbox-store-');
    cleanups.push(t.cleanup);
    return path.join(t.dir, 'outbox');
  }
  const open = (d: string, over: Parameters<typeof outboxConfig>[0] = {}) => Outbox.open({ dir: d, config: outboxConfig(over), chunkBytes: 64 * 1024, sign: () => 'sig', logger: quietLogger });

  it('keeps seq across a restart: no reuse, no gap', async () => {
    const d = dir();
    let ob = await open(d, { sync: 'always' });
    for (let i = 1; i <= 5; i++) assert.equal((await ob.enqueueEvent(objectEvent({ objectId: `o${i}` }))).seq, i);
    await ob.close();
    ob = await open(d);
    cleanups.push(() => ob.close());
    assert.equal(ob.stats().pending, 5);
    assert.equal((await ob.enqueueEvent(objectEvent({ objectId: 'o6' }))).seq, 6);
  });

  it('drops a file whose enqueue was interrupted, and keeps everything else', async () => {
    const d = dir();
    const store = await OutboxStore.open(d, outboxConfig(), quietLogger);
    await store.submit({ cls: 0, kind: 'event', seq: true, items: [{ topic: 'events', json: true, payload: (seq) => Buffer.from(JSON.stringify({ seq })) }] });
    // The first part of a streamed clip, then the process "dies" before the last part.
    await store.submit({ cls: 2, kind: 'clip', group: { start: true, end: false }, items: [{ topic: 'clips/x/meta', json: true, payload: Buffer.from('{}') }, { topic: 'clips/x/chunk/0', json: false, payload: randomBytes(1000) }] });
    assert.equal(store.sealedMax[2], -1, 'an unfinished file is never sendable');
    assert.deepEqual(await store.read(2, -1, 10), []);
    await store.close();
    const ob = await open(d);
    cleanups.push(() => ob.close());
    assert.equal(ob.stats().pending, 1);
    assert.equal((await ob.enqueueEvent(objectEvent())).seq, 2);
  });

  it('a new clip never evicts events: it is refused and counted when only events fill the quota', async () => {
    const ob = await open(dir(), { quotaBytes: 1024 * 1024, sync: 'never' });
    cleanups.push(() => ob.close());
    const filler = 'x'.repeat(1500);
    for (let b = 0; b < 11; b++) await Promise.all([...Array(50).keys()].map((i) => ob.enqueueEvent(objectEvent({ objectId: `o${b}-${i}`, label: filler }))));
    const before = ob.stats();
    assert.ok(before.bytes > 900 * 1024, `events fill the quota: ${before.bytes}`);
    await assert.rejects(ob.enqueueFile('clip', randomBytes(300 * 1024), clipMeta('too-much')), { code: 'OUTBOX_FULL' });
    const after = ob.stats();
    assert.equal(after.pending, before.pending);
    assert.equal(after.evicted.clip, 1);
    assert.equal(after.evicted.event, 0);
    // More events push out the oldest events (counted), never fail.
    for (let i = 0; i < 100; i++) await ob.enqueueEvent(objectEvent({ objectId: `more-${i}`, label: filler }));
    assert.ok(ob.stats().evicted.event > 0);
    assert.ok(ob.stats().bytes <= 1024 * 1024);
  });

  it('refuses an item larger than the whole quota with OUTBOX_ITEM_TOO_LARGE', async () => {
    const ob = await open(dir(), { quotaBytes: 1024 * 1024 });
    cleanups.push(() => ob.close());
    await assert.rejects(ob.enqueueFile('clip', randomBytes(1200 * 1024), clipMeta('huge')), { code: 'OUTBOX_ITEM_TOO_LARGE' });
  });

  it('holds the LevelDB lock: a second opener gets OUTBOX_LOCKED', async () => {
    const d = dir();
    const ob = await open(d);
    cleanups.push(() => ob.close());
    await assert.rejects(open(d), { code: 'OUTBOX_LOCKED' });
  });

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
