import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import jpeg from 'jpeg-js';
import { loadOrCreateIdentity, type GatewayIdentity } from '../../agent/identity/gateway-identity.js';
import { Receiver } from '../../agent/receiver/receiver.js';
import { MosquittoBroker } from '../support/mosquitto.js';
import { tempDir, VIDEOS_DIR } from '../support/tmp.js';
import { waitFor } from '../support/wait.js';
import { GatewayPublisher } from './support/gateway-publisher.js';

const PREFIX = 'edge';
const GW = 'gw-test1';

function readJsonl(file: string): Record<string, unknown>[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
}

describe('receiver: events and clips from a gateway over a real Mosquitto', function () {
  this.timeout(120000);
  const tmp = tempDir('receiver-');
  const broker = new MosquittoBroker({ persistence: true });
  let identity: GatewayIdentity;
  let gw: GatewayPublisher;
  let receiver: Receiver;
  const outDir = path.join(tmp.dir, 'out');
  const clipFile = readFileSync(path.join(VIDEOS_DIR, 'ozlu_pedestrian_survaillance.mp4'));
  const newReceiver = (): Receiver => new Receiver({ brokerUrl: broker.url, outDir, gateway: '+', prefix: PREFIX, clientId: 'central-test', incompleteTimeoutMs: 1500 });

  before(async () => {
    await broker.start();
    identity = loadOrCreateIdentity(path.join(tmp.dir, 'gateway'));
    gw = new GatewayPublisher(broker.url, PREFIX, GW, identity);
    await gw.connect();
    await gw.publishStatus();
    receiver = newReceiver();
    await receiver.start();
  });
  after(async () => {
    await receiver?.stop();
    await gw?.close();
    await broker.dispose();
    tmp.cleanup();
  });

  it('reassembles a clip sent meta-last, in reverse chunk order and duplicated, and verifies it before writing it', async () => {
    const done = new Promise<string>((resolve) => receiver.on('clip', (c) => c.clipId === 'clipA' && resolve(c.file)));
    const meta = await gw.publishClip(clipFile, { clipId: 'clipA', eventId: 'obj-7', order: 'reverse', metaLast: true, duplicate: true });
    assert.ok(meta.chunks >= 6, `a multi-chunk clip (${meta.chunks} chunks)`);
    const file = await done;
    assert.equal(file, path.join(outDir, 'clips', GW, 'clipA.mp4'));
    assert.ok(readFileSync(file).equals(clipFile), 'byte-identical to what the gateway sent');
    const side = JSON.parse(readFileSync(path.join(outDir, 'clips', GW, 'clipA.meta.json'), 'utf8')) as Record<string, unknown>;
    assert.equal(side.verified, true);
    assert.equal(side.eventId, 'obj-7');
    assert.equal(side.gateway, GW);
    assert.ok(!existsSync(path.join(outDir, '.partial', GW, 'clipA')), 'partial pieces cleaned up');
  });

  it('names a snapshot .jpg by its content type', async () => {
    const img = jpeg.encode({ width: 32, height: 16, data: Buffer.alloc(32 * 16 * 4, 200) }, 80).data;
    const done = new Promise<string>((resolve) => receiver.on('clip', (c) => c.clipId === 'snapB' && resolve(c.file)));
    await gw.publishClip(img, { clipId: 'snapB', contentType: 'image/jpeg' });
    const file = await done;
    assert.equal(path.basename(file), 'snapB.jpg');
    assert.ok(readFileSync(file).equals(img));
  });

  it('rejects a clip with a corrupt chunk, a truncated one, a missing chunk and a forged signature, never writing them as good', async () => {
    const rejected = new Map<string, string>();
    receiver.on('rejected', (r) => rejected.set(r.clipId, r.code));
    await gw.publishClip(clipFile, { clipId: 'corrupt', alterChunk: (n, d) => (n === 2 ? (d[100] ^= 0xff, d) : d) });
    await gw.publishClip(clipFile, { clipId: 'truncated', alterChunk: (n, d) => (n === 5 ? d.subarray(0, d.length - 1000) : d) });
    await gw.publishClip(clipFile, { clipId: 'missing', skipChunks: [3] });
    await gw.publishClip(clipFile, { clipId: 'forged', signer: loadOrCreateIdentity(path.join(tmp.dir, 'intruder')) });
    await waitFor(() => rejected.size === 4, { what: `4 rejections, got ${JSON.stringify([...rejected])}` });
    assert.deepEqual(Object.fromEntries(rejected), {
      corrupt: 'CLIP_HASH_MISMATCH', truncated: 'CLIP_SIZE_MISMATCH', missing: 'CLIP_INCOMPLETE', forged: 'CLIP_SIGNATURE_INVALID',
    });
    for (const id of rejected.keys()) {
      const report = JSON.parse(readFileSync(path.join(outDir, 'clips', GW, `${id}.rejected.json`), 'utf8')) as { code: string; reason: string };
      assert.equal(report.code, rejected.get(id));
      assert.ok(report.reason.length > 10);
      assert.ok(!existsSync(path.join(outDir, 'clips', GW, `${id}.mp4`)), `${id} not written as good`);
    }
    assert.deepEqual(readdirSync(path.join(outDir, 'clips', GW)).filter((f) => f.endsWith('.part')), [], 'no half-written files left');
  });

  it('writes events once by id and reports a gap in seq', async () => {
    const lines: number[] = [];
    receiver.on('event', (e) => lines.push(e.event.seq as number));
    const gaps: [number, number][] = [];
    receiver.on('gap', (g) => gaps.push([g.fromSeq, g.toSeq]));
    const ev = (seq: number) => ({ id: `e${seq}`, seq, type: 'start' as const, camera: 'cam1', objectId: `o${seq}`, label: 'car' });
    for (const seq of [1, 2, 2, 3, 1, 6, 7]) await gw.publishEvent(ev(seq));
    await waitFor(() => lines.includes(7), { what: 'seq 7' });
    assert.deepEqual(lines, [1, 2, 3, 6, 7]);
    assert.deepEqual(gaps, [[4, 5]]);
    const stored = readJsonl(path.join(outDir, 'events.jsonl')).map((r) => (r.event as { seq: number }).seq);
    assert.deepEqual(stored, [1, 2, 3, 6, 7]);
    const gapRows = readJsonl(path.join(outDir, 'gaps.jsonl'));
    assert.deepEqual(gapRows.map((g) => [g.kind, g.gateway, g.fromSeq, g.toSeq, g.missing]), [['gap', GW, 4, 5, 2]]);
    assert.deepEqual(receiver.stats().missingSeqs, { [GW]: 2 });
    assert.equal(receiver.stats().duplicates, 2);
  });

  it('keeps summary.json with the counts and the missing seqs', async () => {
    const summary = await waitFor(() => {
      const file = path.join(outDir, 'summary.json');
      const s = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as { events: number; missingSeqs: Record<string, number>; rejected: number }) : null;
      return s && s.events === 5 ? s : null;
    }, { what: 'summary.json after the events' });
    assert.deepEqual(summary.missingSeqs, { [GW]: 2 });
    assert.equal(summary.rejected, 4);
  });

  it('after a restart (receiver down, broker restarted with persistence) gets what was published meanwhile, without duplicates, verifying with the remembered key', async () => {
    await receiver.stop();
    await gw.publishEvent({ id: 'e5', seq: 5, type: 'start', camera: 'cam1' }); // fills part of the gap, late
    await gw.publishEvent({ id: 'e7', seq: 7, type: 'start', camera: 'cam1' }); // a redelivery of one already stored
    await gw.publishEvent({ id: 'e8', seq: 8, type: 'end', camera: 'cam1' });
    await gw.publishClip(clipFile, { clipId: 'whileDown', order: 'reverse' });
    await gw.publishOffline(); // the gateway went away: its retained status no longer has the key
    await broker.restart();
    await gw.publishEvent({ id: 'e9', seq: 9, type: 'start', camera: 'cam1' });

    receiver = newReceiver();
    const got: number[] = [];
    receiver.on('event', (e) => got.push(e.event.seq as number));
    const clip = new Promise<string>((resolve) => receiver.on('clip', (c) => c.clipId === 'whileDown' && resolve(c.file)));
    const session = new Promise<boolean>((resolve) => receiver.on('connected', (c) => resolve(c.sessionPresent)));
    await receiver.start();
    assert.equal(await session, true, 'the broker kept the session across its restart');
    assert.ok(readFileSync(await clip).equals(clipFile));
    await waitFor(() => got.includes(9), { what: `seq 9 after restart (got ${got.join(',')})` });
    assert.deepEqual(got.sort((a, b) => a - b), [5, 8, 9]);
    const stored = readJsonl(path.join(outDir, 'events.jsonl')).map((r) => (r.event as { id: string }).id);
    assert.equal(new Set(stored).size, stored.length, 'no id twice in events.jsonl');
    assert.deepEqual(receiver.stats().missingSeqs, { [GW]: 1 });
    assert.ok(readJsonl(path.join(outDir, 'gaps.jsonl')).some((g) => g.kind === 'late' && g.seq === 5));
  });

  it('finishes a clip whose first chunks arrived before a receiver restart and the rest after', async () => {
    await gw.publishStatus();
    const all = Array.from({ length: Math.ceil(clipFile.length / (128 * 1024)) }, (_, n) => n);
    const firstHalf = all.slice(0, 3);
    await gw.publishClip(clipFile, { clipId: 'split', skipChunks: all.filter((n) => !firstHalf.includes(n)) });
    await waitFor(() => receiver.stats().pendingClips === 1 && readdirSync(path.join(outDir, '.partial', GW, 'split')).length === 4, { what: 'meta + 3 chunks on disk' });
    await receiver.stop();
    await gw.publishClip(clipFile, { clipId: 'split', skipChunks: firstHalf });
    receiver = newReceiver();
    const clip = new Promise<string>((resolve) => receiver.on('clip', (c) => c.clipId === 'split' && resolve(c.file)));
    await receiver.start();
    assert.ok(readFileSync(await clip).equals(clipFile));
  });
});
