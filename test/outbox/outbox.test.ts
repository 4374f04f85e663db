import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { Outbox } from '../../agent/outbox/outbox.js';
import { MqttUplink } from '../../agent/uplink/mqtt-uplink.js';
import { MosquittoBroker } from '../support/mosquitto.js';
import { REPO_ROOT, tempDir } from '../support/tmp.js';
import { waitFor } from '../support/wait.js';
import { mqttConfig, quietLogger } from '../uplink/helpers.js';
import { clipMeta, outboxConfig } from './helpers.js';
import { Receiver, testSigner } from './receiver.js';
import { objectEvent } from '../support/object-event.js';
import { HEALTH_TOPIC, under } from '../../agent/contract/index.js';

const CHUNK = 128 * 1024;

describe('Outbox: LevelDB store-and-forward over a real Mosquitto', function () {
  const cleanups: Array<() => Promise<void> | void> = [];
  const signer = testSigner();
  afterEach(async () => {
    while (cleanups.length) await cleanups.pop()!();
  });

  async function setup(gatewayId: string, over: Parameters<typeof outboxConfig>[0] = {}, brokerOpts: { persistence: boolean; extraConfig?: string[] } = { persistence: true }) {
    const broker = await new MosquittoBroker(brokerOpts).start();
    cleanups.push(() => broker.dispose());
    const tmp = tempDir('edge-outbox-');
    cleanups.push(tmp.cleanup);
    const outbox = await Outbox.open({ dir: path.join(tmp.dir, 'outbox'), config: outboxConfig(over), chunkBytes: CHUNK, sign: signer.sign, logger: quietLogger });
    cleanups.push(() => outbox.close());
    const uplink = new MqttUplink({ mqtt: mqttConfig(broker.url), gatewayId, statusPayload: () => ({}), logger: quietLogger });
    cleanups.push(() => uplink.stop());
    const receiver = await new Receiver(broker.url, gatewayId).start();
    cleanups.push(() => receiver.stop());
    return { broker, outbox, uplink, receiver, tmp: tmp.dir };
  }

  it('numbers events, drains by priority (events and health before snapshots before clips) and reassembles signed files', async () => {
    const { outbox, uplink, receiver } = await setup('gw-prio');
    const clip = randomBytes(3 * CHUNK + 1234);
    const snap = randomBytes(40000);
    await outbox.enqueueFile('clip', clip, clipMeta('clip-a'));
    await outbox.enqueueFile('snapshot', snap, clipMeta('snap-a', 'cam-1', 'image/jpeg'));
    const ids = [];
    for (let i = 0; i < 20; i++) ids.push(await outbox.enqueueEvent(objectEvent({ type: 'start', objectId: `o${i}` })));
    await outbox.enqueueJson('health', 'health', { cpu: 12 });
    assert.deepEqual(ids.map((r) => r.seq), [...Array(20).keys()].map((i) => i + 1));
    assert.equal(new Set(ids.map((r) => r.id)).size, 20);
    const before = outbox.stats();
    assert.equal(before.pending, 20 + 1 + (1 + 4) + (1 + 1));
    assert.ok(before.bytes > clip.length + snap.length);

    uplink.start();
    outbox.attach(uplink);
    await waitFor(() => receiver.files(signer.publicKeyPem).size === 2 && receiver.events().length >= 20, { what: 'everything delivered' });
    await waitFor(() => outbox.stats().pending === 0, { what: 'outbox empty' });
    assert.equal(outbox.stats().bytes, 0);

    const { seqs } = receiver.uniqueEventsInOrder();
    assert.equal(seqs.length, 20);
    const files = receiver.files(signer.publicKeyPem);
    assert.deepEqual(files.get('clip-a')!.data, clip);
    assert.deepEqual(files.get('snap-a')!.data, snap);
    assert.equal(files.get('clip-a')!.meta.chunks, 4);
    assert.equal(files.get('clip-a')!.meta.eventId, 'evt-clip-a');
    const lastEvent = receiver.indexOf((t) => t.endsWith('/events') || t.endsWith('/health'), true);
    const firstSnap = receiver.indexOf((t) => t.includes('/clips/snap-a/'));
    const firstClip = receiver.indexOf((t) => t.includes('/clips/clip-a/'));
    assert.ok(lastEvent < firstSnap && firstSnap < firstClip, `priority order: events ${lastEvent} < snapshot ${firstSnap} < clip ${firstClip}`);
    const health = receiver.arrivals.find((a) => a.topic === under(receiver.root, HEALTH_TOPIC));
    assert.equal((JSON.parse(health!.payload.toString()) as { cpu: number }).cpu, 12);
  });

  it('broker down for a few seconds while events and clips are enqueued: every event once in seq order, every file intact', async function () {
    const { broker, outbox, uplink, receiver, tmp } = await setup('gw-outage', { inflight: 16 });
    uplink.start();
    outbox.attach(uplink);
    await waitFor(() => uplink.connected, { what: 'uplink connected' });

    const clips = new Map<string, Buffer>();
    let producing = true;
    let clipNo = 0;
    const producer = (async () => {
      let i = 0;
      while (producing) {
        await outbox.enqueueEvent(objectEvent({ type: 'update', objectId: `o${i++}` }));
        if (i % 25 === 0) {
          const id = `clip-${clipNo++}`;
          const data = randomBytes(CHUNK * 2 + 777 * clipNo);
          clips.set(id, data);
          if (clipNo % 2) await outbox.enqueueFile('clip', data, clipMeta(id));
          else {
            const file = path.join(tmp, `${id}.mp4`); // big clips come as a path, streamed from disk
            writeFileSync(file, data);
            await outbox.enqueueFile('clip', file, clipMeta(id));
          }
        }
        await new Promise((r) => setTimeout(r, 15));
      }
    })();

    await waitFor(() => receiver.events().length >= 20, { what: 'live events before the outage' });
    await broker.stop();
    await waitFor(() => !uplink.connected, { what: 'uplink down' });
    const pendingAtStop = outbox.stats().pending;
    await waitFor(() => outbox.stats().pending > pendingAtStop + 100 && outbox.stats().oldestAgeS >= 5, { timeoutMs: 60000, what: 'a backlog during the outage' });
    const backlog = outbox.stats();
    await broker.start();
    await waitFor(() => uplink.connected, { timeoutMs: 30000, what: 'uplink back' });
    await new Promise((r) => setTimeout(r, 500)); // keep enqueueing live while the backlog drains
    producing = false;
    await producer;
    const total = (await outbox.enqueueEvent(objectEvent({ type: 'end', objectId: 'last' }))).seq;

    await waitFor(() => outbox.stats().pending === 0, { timeoutMs: 60000, what: 'backlog drained' });
    await waitFor(() => receiver.uniqueEventsInOrder().seqs.length === total && receiver.files(signer.publicKeyPem).size === clips.size, { timeoutMs: 60000, what: 'receiver has everything' });
    const { seqs, duplicates } = receiver.uniqueEventsInOrder();
    assert.equal(seqs[seqs.length - 1], total);
    const files = receiver.files(signer.publicKeyPem);
    for (const [id, data] of clips) assert.deepEqual(files.get(id)?.data, data, `${id} reassembled`);
    assert.ok(clips.size >= 3);
    console.log(`      outage backlog ${backlog.pending} messages / ${(backlog.bytes / 1e6).toFixed(1)} MB, ${total} events, ${clips.size} clips, ${duplicates} QoS 1 redeliveries`);
  });

  it('quota reached during an outage: oldest clips evicted and counted, events kept', async () => {
    const { outbox, uplink, receiver } = await setup('gw-quota', { quotaBytes: 1024 * 1024 });
    for (let i = 0; i < 100; i++) await outbox.enqueueEvent(objectEvent({ type: 'start', objectId: `o${i}` }));
    for (let i = 0; i < 8; i++) await outbox.enqueueFile('clip', randomBytes(200 * 1024), clipMeta(`q-${i}`));
    const s = outbox.stats();
    assert.ok(s.bytes <= 1024 * 1024, `within quota: ${s.bytes}`);
    assert.ok(s.evicted.clip >= 3, `clips evicted: ${s.evicted.clip}`);
    assert.equal(s.evicted.event, 0);
    uplink.start();
    outbox.attach(uplink);
    await waitFor(() => outbox.stats().pending === 0, { what: 'drained' });
    await waitFor(() => receiver.uniqueEventsInOrder().seqs.length === 100, { what: 'all events' });
    const files = receiver.files(signer.publicKeyPem);
    assert.equal(files.size + s.evicted.clip, 8, 'every clip delivered or counted as evicted');
    // The survivors are the newest ones.
    assert.ok(files.has('q-7') && !files.has('q-0'));
  });

  it('a backlog far bigger than the RAM budget stays on disk: RSS flat while it builds', async function () {
    const tmp = tempDir('edge-outbox-rss-');
    cleanups.push(tmp.cleanup);
    const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(REPO_ROOT, 'test/outbox/rss-child.ts')], { cwd: REPO_ROOT, env: { ...process.env, WORK_DIR: tmp.dir }, encoding: 'utf8', timeout: 110000 });
    assert.equal(r.status, 0, r.stderr);
    const phases = JSON.parse(r.stdout.trim().split('\n').pop()!) as Array<{ backlogMiB: number; rssPeakMiB: number }>;
    console.log(`      backlog MiB ${phases.map((p) => p.backlogMiB).join(' -> ')}, peak RSS MiB ${phases.map((p) => p.rssPeakMiB).join(' -> ')}`);
    const first = phases[0];
    const last = phases[phases.length - 1];
    assert.ok(last.backlogMiB - first.backlogMiB >= 140, 'the backlog grew by far more than the RSS budget');
    // Not proportional to the backlog: +144 MiB of backlog may cost well under half that in RSS
    // (LevelDB compaction buffers and allocator arenas step up once, 10-40 MiB in our runs).
    assert.ok(last.rssPeakMiB - first.rssPeakMiB < 64, `RSS grew with the backlog: ${JSON.stringify(phases)}`);
  });
});
