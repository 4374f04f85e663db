import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import mqtt from 'mqtt';
import { clipChunkTopic, clipMetaTopic, EVENTS_TOPIC } from '../../agent/contract/index.js';
import { loadOrCreateIdentity } from '../../agent/identity/gateway-identity.js';
import { keyFingerprint } from '../../agent/identity/gateway-key-pins.js';
import { generateFleetKeys } from '../../agent/provisioning/operator/fleet-keys.js';
import type { ReceiverStats } from '../../agent/receiver/receiver.js';
import { runCli, startCli, stopProcess } from '../support/agent-cli.js';
import { VIDEOS_DIR } from '../support/tmp.js';
import { waitFor } from '../support/wait.js';
import { makeConfig } from '../provisioning/support/fixture.js';
import { useGatewayOnBroker } from './support/gateway-fixture.js';
import { GatewayPublisher } from './support/gateway-publisher.js';

/**
 * `edge-agent receive` (and `provision push`) against someone with broker access who publishes on a
 * gateway's topics: a status with their own key, files signed with it, a meta claiming 10^6 chunks,
 * thousands of transfers left open, a clip id another gateway uses, terminal escapes in an event.
 */
describe('edge-agent receive against a publisher with broker access', function () {
  this.timeout(300000);
  const fixture = useGatewayOnBroker('edge', 'gw-a');
  const clip = readFileSync(path.join(VIDEOS_DIR, 'ozlu_vehicle_survaillance.mp4'));
  const summaryOf = (out: string): ReceiverStats => JSON.parse(readFileSync(path.join(out, 'summary.json'), 'utf8')) as ReceiverStats;
  const receive = (out: string, clientId: string, extra: string[] = []) => startCli(['receive', '--broker', fixture.broker.url, '--out', out, '--client-id', clientId, ...extra]);
  /** The retained status is printed once the subscriptions stand. */
  const subscribed = (proc: { log: string }, gw = 'gw-a'): Promise<unknown> => waitFor(() => proc.log.includes(`status ${gw}:`), { what: `receiver subscribed: ${proc.log}` });

  it('pins gw-a\'s first key: a forged status and a file signed with its key are refused and reported, provision push will not encrypt to it, and --trust-key re-keys', async () => {
    const out = path.join(fixture.tmp.dir, 'pin');
    const realKey = fixture.gw.identity.publicKeyPem;
    const intruder = loadOrCreateIdentity(path.join(fixture.tmp.dir, 'intruder'));
    const forger = new GatewayPublisher(fixture.broker.url, 'edge', 'gw-a', intruder);
    await forger.connect({ clientId: 'forger' });
    let proc = receive(out, 'pin-receiver');
    try {
      const pinFile = path.join(out, 'keys', 'gw-a.pem');
      await waitFor(() => existsSync(pinFile), { what: `gw-a's key pinned: ${proc.log}` });
      assert.equal(readFileSync(pinFile, 'utf8'), realKey);

      await forger.publishStatus();
      await waitFor(() => existsSync(path.join(out, 'keys', 'offered', 'gw-a.pem')), { what: `the forged key refused: ${proc.log}` });
      await waitFor(() => proc.log.includes('key gw-a REFUSED GATEWAY_KEY_MISMATCH'), { what: `the refusal printed: ${proc.log}` });
      await forger.publishClip(clip, { clipId: 'forged-1' });
      await fixture.gw.publishClip(clip, { clipId: 'genuine-1' });
      const rejectedFile = path.join(out, 'clips', 'gw-a', 'forged-1.rejected.json');
      await waitFor(() => existsSync(rejectedFile) && existsSync(path.join(out, 'clips', 'gw-a', 'genuine-1.meta.json')), { what: `both files handled: ${proc.log}` });
      const report = JSON.parse(readFileSync(rejectedFile, 'utf8')) as { code: string; reason: string };
      assert.equal(report.code, 'GATEWAY_KEY_MISMATCH');
      assert.ok(report.reason.includes(keyFingerprint(intruder.publicKeyPem)), report.reason);
      assert.deepEqual(readdirSync(path.join(out, 'clips', 'gw-a')).filter((f) => f.startsWith('forged-1')), ['forged-1.rejected.json'], 'no media file, no verified meta');
      assert.ok(readFileSync(path.join(out, 'clips', 'gw-a', 'genuine-1.mp4')).equals(clip), 'the real gateway\'s file still verifies');
      assert.equal(readFileSync(pinFile, 'utf8'), realKey, 'the pinned key is unchanged');
    } finally {
      assert.equal(await stopProcess(proc), 0, proc.log);
    }
    const summary = summaryOf(out);
    assert.equal(summary.keyMismatches['gw-a']?.count, 1);
    assert.equal(summary.keyMismatches['gw-a']?.offered, keyFingerprint(intruder.publicKeyPem));
    assert.equal(summary.keyMismatches['gw-a']?.pinned, keyFingerprint(realKey));
    assert.equal(summary.transfers['gw-a']?.keyMismatch, 1);

    // The operator pushing secrets to gw-a reads the same retained (forged) status: refused, not encrypted.
    const fleet = generateFleetKeys(path.join(fixture.tmp.dir, 'fleet'));
    const cfgFile = path.join(fixture.tmp.dir, 'desired.json');
    writeFileSync(cfgFile, JSON.stringify(makeConfig(path.join(fixture.tmp.dir, 'gw-a-data'), fixture.broker.url, [fleet.pubFile], { password: 'camera-secret' })));
    const push = runCli(['provision', 'push', '--broker', fixture.broker.url, '--gateway', 'gw-a', '--key', fleet.keyFile, '--config', cfgFile, '--version', '2',
      '--encrypt-secrets', '--gateway-keys', path.join(out, 'keys'), '--timeout', '30']);
    assert.equal(push.status, 1, push.stderr);
    assert.match(push.stderr, /^GATEWAY_KEY_MISMATCH: the retained status of gw-a carries key [0-9a-f]{16}, but [0-9a-f]{16} is pinned/);
    assert.equal(readFileSync(path.join(out, 'keys', 'gw-a.pem'), 'utf8'), realKey);

    // The operator decides gw-a was re-keyed: the offered key becomes the pin, and its files verify.
    const trust = runCli(['receive', '--out', out, '--trust-key', 'gw-a', path.join(out, 'keys', 'offered', 'gw-a.pem')]);
    assert.equal(trust.status, 0, trust.stderr);
    assert.equal(keyFingerprint(readFileSync(path.join(out, 'keys', 'gw-a.pem'), 'utf8')), keyFingerprint(intruder.publicKeyPem));
    proc = receive(out, 'pin-receiver');
    try {
      await subscribed(proc);
      await forger.publishClip(clip, { clipId: 'rekeyed-2' });
      const meta = path.join(out, 'clips', 'gw-a', 'rekeyed-2.meta.json');
      await waitFor(() => existsSync(meta), { what: `the re-keyed gateway's file verified: ${proc.log}` });
      assert.equal((JSON.parse(readFileSync(meta, 'utf8')) as { verified: boolean }).verified, true);
      assert.ok(!proc.log.includes('REFUSED'), proc.log);
    } finally {
      assert.equal(await stopProcess(proc), 0, proc.log);
      await fixture.gw.publishStatus(); // gw-a's real status back for the next test
      await forger.close();
    }
  });

  it('bounds one gateway\'s transfers: a meta claiming 10^6 chunks is refused, 2000 open transfers keep only --max-open-transfers on disk, all counted', async () => {
    const out = path.join(fixture.tmp.dir, 'bounds');
    const proc = receive(out, 'bounds-receiver', ['--gateway', 'gw-a', '--max-open-transfers', '40']);
    const attacker = await mqtt.connectAsync(fixture.broker.url, { protocolVersion: 5, clientId: 'flooder' });
    const topic = (rel: string): string => `edge/gw-a/${rel}`;
    try {
      await subscribed(proc);
      const huge = { clipId: 'huge', camera: 'cam1', eventId: null, startTs: '2026-11-29T12:00:00.000Z', endTs: '2026-11-29T12:00:10.000Z', bytes: 1_000_000, chunks: 1_000_000, sha256: 'a'.repeat(64), contentType: 'video/mp4', signature: 'AAAA' };
      await attacker.publishAsync(topic(clipMetaTopic('huge')), JSON.stringify(huge), { qos: 1 });
      for (let n = 0; n < 50; n++) await attacker.publishAsync(topic(clipChunkTopic('huge', n)), Buffer.from([n]), { qos: 1 });
      for (let t = 0; t < 2000; t++) await attacker.publishAsync(topic(clipChunkTopic(`open-${t}`, 0)), Buffer.from([1]), { qos: 1 });
      // Messages of one publisher reach the receiver in order: this event comes after all of the above.
      await attacker.publishAsync(topic(EVENTS_TOPIC), JSON.stringify({ id: 'after-flood', seq: 1, type: 'start', camera: 'cam1' }), { qos: 1 });
      const events = path.join(out, 'events.jsonl');
      await waitFor(() => existsSync(events) && readFileSync(events, 'utf8').includes('"id":"after-flood"'), { timeoutMs: 180000, what: `the flood handled: ${proc.log.slice(-2000)}` });
    } finally {
      await attacker.endAsync();
      assert.equal(await stopProcess(proc), 0, proc.log);
    }
    const hugeReport = JSON.parse(readFileSync(path.join(out, 'clips', 'gw-a', 'huge.rejected.json'), 'utf8')) as { code: string };
    assert.equal(hugeReport.code, 'CLIP_TOO_LARGE');
    const partial = path.join(out, '.partial', 'gw-a');
    const open = readdirSync(partial);
    assert.equal(open.length, 40, 'only --max-open-transfers transfers on disk');
    const bytes = open.reduce((sum, d) => sum + readdirSync(path.join(partial, d)).reduce((s, f) => s + statSync(path.join(partial, d, f)).size, 0), 0);
    assert.equal(bytes, 40, 'one 1-byte chunk each');
    const t = summaryOf(out).transfers['gw-a'];
    assert.deepEqual({ open: t.openTransfers, pendingBytes: t.pendingBytes, refused: t.refusedPieces, tooLarge: t.tooLarge },
      { open: 40, pendingBytes: 40, refused: 2000 - 40, tooLarge: 1 });
  });

  it('scopes clip ids per gateway and escapes what it prints', async () => {
    const out = path.join(fixture.tmp.dir, 'scope');
    const gwB = new GatewayPublisher(fixture.broker.url, 'edge', 'gw-b', loadOrCreateIdentity(path.join(fixture.tmp.dir, 'gw-b')));
    await gwB.connect();
    await gwB.publishStatus();
    const proc = receive(out, 'scope-receiver');
    try {
      await subscribed(proc);
      await subscribed(proc, 'gw-b');
      await fixture.gw.publishClip(clip, { clipId: 'same-id' });
      await waitFor(() => existsSync(path.join(out, 'clips', 'gw-a', 'same-id.meta.json')), { what: `gw-a's clip: ${proc.log}` });
      const snapshot = clip.subarray(0, 5000);
      await gwB.publishClip(snapshot, { clipId: 'same-id', contentType: 'image/jpeg' });
      await gwB.publishEvent({ id: 'esc', seq: 1, type: 'start', camera: '\u001b]0;owned\u0007\u001b[2J', label: 'car\r\u202eevil' });
      await waitFor(() => existsSync(path.join(out, 'clips', 'gw-b', 'same-id.meta.json')), { what: `gw-b's clip: ${proc.log}` });
      await waitFor(() => proc.log.includes('id=esc'), { what: `gw-b's event printed: ${proc.log}` });
    } finally {
      assert.equal(await stopProcess(proc), 0, proc.log);
      await gwB.close();
    }
    assert.ok(readFileSync(path.join(out, 'clips', 'gw-a', 'same-id.mp4')).equals(clip));
    assert.ok(readFileSync(path.join(out, 'clips', 'gw-b', 'same-id.jpg')).equals(clip.subarray(0, 5000)));
    assert.ok(!/[\u0000-\u0009\u000b-\u001f\u202e]/.test(proc.log), 'no control character or bidi override reaches the terminal');
    assert.match(proc.log, /camera=\\u001b\]0;owned\\u0007\\u001b\[2J car\\u000d\\u202eevil/);
  });
});
