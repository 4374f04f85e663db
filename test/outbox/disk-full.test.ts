import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, openSync, readdirSync, rmSync, statSync, truncateSync, writeFileSync, writeSync } from 'node:fs';
import path from 'node:path';
import { validateConfig } from '../../agent/config/validate.js';
import { HealthMessageSchema, wireValidator } from '../../agent/contract/index.js';
import { AgentError } from '../../agent/core/errors.js';
import { runDiagnostics } from '../../agent/diagnostics/run-diagnostics.js';
import { renderMetrics } from '../../agent/diagnostics/status-page/metrics.js';
import { Outbox } from '../../agent/outbox/outbox.js';
import type { DiskReclaimer } from '../../agent/outbox/level/write-guard.js';
import { MqttUplink } from '../../agent/uplink/mqtt-uplink.js';
import { MosquittoBroker } from '../support/mosquitto.js';
import { objectEvent } from '../support/object-event.js';
import { smallDisk } from '../support/small-disk.js';
import { waitFor } from '../support/wait.js';
import { mqttConfig, quietLogger } from '../uplink/helpers.js';
import { clipMeta, outboxConfig } from './helpers.js';
import { Receiver, testSigner } from './receiver.js';
import { check } from '../diagnostics/helpers.js';

const outboxOnTheWire = wireValidator(HealthMessageSchema.properties.outbox);

/** What a technician sees of the outbox: `diag`'s storage.writes, /metrics and the health message's outbox part. */
async function seenFromOutside(ob: Outbox, dataDir: string) {
  const v = validateConfig({ gateway: { id: 'gw-diskfull', dataDir }, mqtt: { url: 'mqtt://127.0.0.1:1' }, cameras: [] });
  assert.ok(v.ok);
  const stats = ob.stats();
  assert.ok(outboxOnTheWire(stats), outboxOnTheWire.problem());
  const report = await runDiagnostics(v.config, { only: ['storage'], outboxStats: () => stats });
  const metrics = renderMetrics({ gatewayId: 'gw-diskfull', version: 'test', uptimeS: 1, uplink: { connected: true, broker: 'x' }, cameras: [], outbox: stats, recentEvents: [] });
  return { stats, writes: check(report, 'storage.writes'), metrics };
}

/** Writes a file until the disk refuses more (ENOSPC), then gives `leaveBytes` back. */
function fillDisk(file: string, leaveBytes: number): void {
  const fd = openSync(file, 'w');
  const block = Buffer.alloc(64 * 1024, 7);
  try {
    for (;;) writeSync(fd, block);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err;
  } finally {
    closeSync(fd);
  }
  truncateSync(file, statSync(file).size - leaveBytes);
}

const WRITE_BUFFER = 64 * 1024;

/** Incompressible, so LevelDB's tables take the room the events take. */
const bigEvent = (i: number) => objectEvent({ objectId: `o-${i}`, label: randomBytes(768).toString('base64') });

interface Timeline {
  writesFailedAt?: number;
  spaceBackAt?: number;
  firstNewAcceptedAt?: number;
  firstNewDeliveredAt?: number;
}

describe('outbox on a full disk (real LevelDB on a real tmpfs, real Mosquitto)', function () {
  const cleanups: Array<() => Promise<void> | void> = [];
  afterEach(async () => {
    while (cleanups.length) await cleanups.pop()!();
  });

  async function setup(gatewayId: string, reclaim?: DiskReclaimer) {
    const disk = smallDisk(cleanups);
    const signer = testSigner();
    // Persistent: the receiver's session (and what is queued for it) survives the broker's restart.
    const broker = await new MosquittoBroker({ persistence: true }).start();
    cleanups.push(() => broker.dispose());
    const receiver = await new Receiver(broker.url, gatewayId).start();
    cleanups.push(() => receiver.stop());
    // A 64 KiB write buffer: the memtable is flushed to a table every few dozen events, so the full
    // disk hits a flush or compaction (the error LevelDB keeps), not only a log append.
    const ob = await Outbox.open({
      dir: path.join(disk, 'outbox'), config: outboxConfig({ sync: 'never' }), chunkBytes: 64 * 1024, sign: signer.sign, logger: quietLogger,
      store: { writeBufferBytes: WRITE_BUFFER, reclaim },
    });
    cleanups.push(() => ob.close());
    const uplink = new MqttUplink({ mqtt: mqttConfig(broker.url), gatewayId, statusPayload: () => ({}), logger: quietLogger });
    cleanups.push(() => uplink.stop());
    uplink.start();
    ob.attach(uplink);
    return { disk, broker, receiver, ob, signer };
  }

  /** Enqueues events until the outbox refuses them; returns the seqs it confirmed and the errors. */
  async function enqueueUntilRefused(ob: Outbox, from: number, refusals = 20): Promise<{ confirmed: number[]; errors: AgentError[]; next: number }> {
    const confirmed: number[] = [];
    const errors: AgentError[] = [];
    let i = from;
    // Bounded: a disk of 16 MiB holds far fewer than this many 1 KiB events.
    while (errors.length < refusals && i < from + 50_000) {
      try {
        confirmed.push((await ob.enqueueEvent(bigEvent(i++))).seq);
      } catch (err) {
        assert.ok(err instanceof AgentError, String(err));
        errors.push(err);
      }
    }
    return { confirmed, errors, next: i };
  }

  /** Enqueues events until LevelDB has written a new table (a memtable flush, after at least one write buffer). */
  async function enqueueUntilFlushed(ob: Outbox, dir: string, from: number): Promise<{ confirmed: number[]; next: number }> {
    const tables = (): string[] => readdirSync(dir).filter((f) => f.endsWith('.ldb'));
    const seen = new Set(tables());
    const confirmed: number[] = [];
    let i = from;
    await waitFor(async () => {
      confirmed.push((await ob.enqueueEvent(bigEvent(i++))).seq);
      return tables().some((t) => !seen.has(t));
    }, { what: 'a memtable flushed to a table', intervalMs: 1 });
    return { confirmed, next: i };
  }

  /** Enqueues an event every 200 ms until the outbox takes one (waiting for the state, not for a time). */
  async function enqueueUntilAccepted(ob: Outbox, from: number, what: string): Promise<{ first: { id: string; seq: number }; next: number }> {
    let i = from;
    const first = await waitFor(async () => {
      try {
        return await ob.enqueueEvent(bigEvent(i++));
      } catch {
        return undefined;
      }
    }, { what, intervalMs: 200 });
    return { first, next: i };
  }

  it('counts and reports the refused writes, and after space is back the same process queues and delivers new events', async () => {
    const { disk, broker, receiver, ob } = await setup('gw-diskfull');
    const timeline: Timeline = {};
    // The broker is away, so the backlog stays on disk and nothing is deleted meanwhile.
    await broker.stop();
    const filler = path.join(disk, 'filler');
    // Right after a memtable flush LevelDB's log is nearly empty: with 1.5 write buffers left, the next
    // write buffer of log appends fits, and the flush of it to a table is what fails.
    const { confirmed: flushed, next: afterFlush } = await enqueueUntilFlushed(ob, path.join(disk, 'outbox'), 0);
    fillDisk(filler, WRITE_BUFFER * 1.5);
    const { confirmed: untilFull, errors, next } = await enqueueUntilRefused(ob, afterFlush);
    const confirmed = [...flushed, ...untilFull];
    assert.ok(untilFull.length > 0, 'events were confirmed on the full disk until the flush failed');
    // The error LevelDB keeps: a table (.ldb) a flush or compaction could not write.
    assert.ok(errors.some((e) => /\.ldb\b/.test(e.message)), `a flush or compaction failed: ${errors.map((e) => e.message).join('\n')}`);
    timeline.writesFailedAt = Date.now();
    const { stats: during, writes, metrics } = await seenFromOutside(ob, disk);
    assert.ok(during.writeFailures >= errors.length, `writeFailures ${during.writeFailures} counts the ${errors.length} refused enqueues`);
    assert.equal(during.writable, false);
    assert.equal(during.lastError?.code, 'OUTBOX_DISK_FULL', JSON.stringify(during.lastError));
    assert.equal(writes.status, 'fail', `diag storage.writes: ${writes.detail}`);
    assert.equal(writes.value, during.writeFailures);
    assert.match(metrics, new RegExp(`^edge_outbox_write_failures_total ${during.writeFailures}$`, 'm'));
    assert.match(metrics, /^edge_outbox_writable 0$/m);
    assert.ok(errors.some((e) => e.code === 'OUTBOX_DISK_FULL'), errors.map((e) => e.message).join('\n'));

    rmSync(filler);
    timeline.spaceBackAt = Date.now();
    // The same process: enqueue until one is accepted (the reopen retries with back-off).
    const { first, next: after } = await enqueueUntilAccepted(ob, next, 'an event accepted after space came back');
    timeline.firstNewAcceptedAt = Date.now();
    const more = [first.seq];
    for (let k = 0; k < 100; k++) more.push((await ob.enqueueEvent(bigEvent(after + k))).seq);
    const healed = await seenFromOutside(ob, disk);
    assert.equal(healed.stats.writable, true);
    assert.ok(healed.stats.writeFailures >= during.writeFailures);
    assert.equal(healed.writes.status, 'warn', `diag storage.writes after healing: ${healed.writes.detail}`);
    assert.match(healed.metrics, /^edge_outbox_writable 1$/m);

    await broker.start();
    await waitFor(() => receiver.events().some((e) => e.seq === first.seq), { what: 'the first new event delivered' });
    timeline.firstNewDeliveredAt = Date.now();
    const last = more[more.length - 1];
    await waitFor(() => receiver.events().some((e) => e.seq === last), { what: 'every new event delivered' });
    // Nothing confirmed is lost, seq has no gap or reuse: everything confirmed before and after arrives, in order.
    const { seqs } = receiver.uniqueEventsInOrder(1);
    assert.deepEqual(seqs, [...confirmed, ...more]);
    const s = (t?: number) => (((t ?? 0) - timeline.writesFailedAt!) / 1000).toFixed(1);
    console.log(`      timeline: writes failed (${errors.length} refused, writeFailures ${during.writeFailures}, ${confirmed.length} confirmed before) at 0 s; space back at ${s(timeline.spaceBackAt)} s; first new event accepted at ${s(timeline.firstNewAcceptedAt)} s; delivered at ${s(timeline.firstNewDeliveredAt)} s (broker restarted at ${s(timeline.firstNewAcceptedAt)}+ s)`);
  });

  it('asks for room outside itself first (the oldest recordings): events flow again with nobody else freeing space, nothing queued evicted', async () => {
    const asked: number[] = [];
    let recording = '';
    const { disk, broker, receiver, ob, signer } = await setup('gw-diskroom', (bytes) => {
      asked.push(bytes);
      if (!existsSync(recording)) return 0;
      const size = statSync(recording).size;
      rmSync(recording);
      return size;
    });
    recording = path.join(disk, 'recording.ts');
    writeFileSync(recording, randomBytes(4 * 1024 * 1024));
    await broker.stop();
    const eventClip = randomBytes(1024 * 1024);
    await ob.enqueueFile('clip', eventClip, clipMeta('event-clip'));
    fillDisk(path.join(disk, 'filler'), 512 * 1024);
    // Stops at the first refusal: every later event would take room again.
    const { confirmed, errors, next } = await enqueueUntilRefused(ob, 0, 1);
    assert.equal(errors[0].code, 'OUTBOX_DISK_FULL', errors[0].message);
    const failedAt = Date.now();
    // Nothing is freed by the test: the outbox asks for the room.
    const { first } = await enqueueUntilAccepted(ob, next, 'an event accepted again without the test freeing space');
    const acceptedAt = Date.now();
    assert.ok(asked.length > 0 && !existsSync(recording), 'the recording was reclaimed');
    assert.deepEqual(ob.stats().evicted, { clip: 0, snapshot: 0, event: 0, health: 0, response: 0 });

    await broker.start();
    await waitFor(() => receiver.events().some((e) => e.seq === first.seq), { what: 'the new event delivered' });
    const deliveredAt = Date.now();
    await waitFor(() => receiver.files(signer.publicKeyPem).get('event-clip'), { what: 'the queued clip delivered' });
    assert.deepEqual(receiver.files(signer.publicKeyPem).get('event-clip')!.data, eventClip);
    assert.deepEqual(receiver.uniqueEventsInOrder(1).seqs, [...confirmed, first.seq]);
    console.log(`      timeline: writes failed at 0 s (${confirmed.length} confirmed before); recording reclaimed and first new event accepted at ${((acceptedAt - failedAt) / 1000).toFixed(1)} s, delivered at ${((deliveredAt - failedAt) / 1000).toFixed(1)} s (broker restarted after the acceptance)`);
  });
});
