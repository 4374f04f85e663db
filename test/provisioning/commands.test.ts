import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { MosquittoBroker } from '../support/mosquitto.js';
import { MqttCollector } from '../support/mqtt-collector.js';
import { tempDir } from '../support/tmp.js';
import { waitFor } from '../support/wait.js';
import { signCommand } from '../../agent/provisioning/operator/sign.js';
import { makeConfig, makeFleet, PREFIX, startGateway, validated, type Gateway } from './support/fixture.js';
import { OperatorProbe } from './support/operator-probe.js';
import { requestTopic, responseTopic as responseTopicOf, under } from '../../agent/contract/index.js';

describe('provisioning: commands over request/<name> and response/<name>', function () {
  let broker: MosquittoBroker;
  let tmp: { dir: string; cleanup: () => void };
  let gw: Gateway;
  let op: OperatorProbe;
  let fleet: ReturnType<typeof makeFleet>;
  let dataDir: string;
  const GW = 'gw-cmd';

  before(async () => {
    tmp = tempDir('prov-cmd-');
    broker = await new MosquittoBroker().start();
    dataDir = path.join(tmp.dir, GW);
    fleet = makeFleet(tmp.dir);
    const fileConfig = validated(makeConfig(dataDir, broker.url, [fleet.pubFile], { password: 'mqtt-pass-123', cameras: ['cam-1', 'cam-2'] }));
    gw = await startGateway({ id: GW, dataDir, fileConfig });
    op = await new OperatorProbe(broker.url, `${PREFIX}/${GW}`).start();
  });
  after(async () => {
    await op.stop();
    await gw.stop();
    await broker.dispose();
    tmp.cleanup();
  });

  const signed = (command: string, args: Record<string, unknown> = {}, extra: { ts?: number; nonce?: string; gateway?: string; id?: string } = {}) =>
    signCommand(fleet, { gateway: extra.gateway ?? GW, command, args, id: extra.id ?? `id-${randomBytes(4).toString('hex')}`, ts: extra.ts, nonce: extra.nonce });

  it('config/get answers unsigned, with secrets redacted, on response/<name> and on the MQTT 5 response topic with the correlation data', async () => {
    const correlationData = randomBytes(8);
    const responseTopic = under(op.root, responseTopicOf('config/get/abc123'));
    const r = await op.request('config/get', { id: 'get-1' }, 'get-1', { responseTopic, correlationData });
    assert.equal(r.status, 'ok');
    const data = r.data as { config: { mqtt: { password: string }; cameras: Array<{ id: string }> }; version: number };
    assert.equal(data.config.mqtt.password, '[redacted]');
    assert.deepEqual(data.config.cameras.map((c) => c.id), ['cam-1', 'cam-2']);
    assert.equal(data.version, 0);
    const direct = await waitFor(() => op.responses.find((x) => x.topic === responseTopic));
    assert.equal(direct.body.id, 'get-1');
    assert.ok(direct.correlationData?.equals(correlationData));
    assert.ok(!JSON.stringify(op.responses).includes('mqtt-pass-123'));
  });

  it('never answers on a response topic outside its own response/ namespace', async () => {
    // Seen at the broker: everything published under the prefix while the two requests are answered.
    const seen = await new MqttCollector(broker.url, `${PREFIX}/#`).start();
    try {
      const r = await op.request('config/get', { id: 'get-2' }, 'get-2', { responseTopic: `${PREFIX}/${GW}/status`, correlationData: Buffer.from('x') });
      assert.equal(r.status, 'ok');
      await op.request('diag', { id: 'get-3' }, 'get-3', { responseTopic: `${PREFIX}/gw-other/response/diag` });
      // A stray answer would leave the gateway right after the proper one: once a later answer has
      // reached this subscriber, so would have any stray one.
      await op.request('config/get', { id: 'get-4' }, 'get-4');
      await seen.waitForMessage<{ id?: string }>(`/${GW}/${responseTopicOf('config/get')}`, (m) => m.id === 'get-4');
      assert.deepEqual(seen.messages.filter((m) => m.topic.startsWith(`${PREFIX}/gw-other/`)).map((m) => m.topic), [], 'nothing for another gateway');
      assert.deepEqual(seen.json<{ id?: string }>(`/${GW}/status`).filter((m) => m.id !== undefined), [], 'no answer on its status topic');
    } finally {
      await seen.stop();
    }
  });

  it('refuses a changing command unsigned, runs it signed, refuses the replay, a stale one and one signed for another command or gateway', async () => {
    const unsigned = await op.request('camera/disable', { id: 'd0', args: { camera: 'cam-1' } }, 'd0');
    assert.equal(unsigned.error?.code, 'COMMAND_UNSIGNED');
    assert.equal(gw.host.enabledCalls.length, 0);

    const msg = signed('camera/disable', { camera: 'cam-1' }, { id: 'd1' });
    const ok = await op.request('camera/disable', msg, 'd1');
    assert.equal(ok.status, 'ok', JSON.stringify(ok));
    assert.deepEqual(gw.host.enabledCalls, [{ camera: 'cam-1', enabled: false }]);

    const before = op.responses.length;
    await op.mqtt.publishAsync(under(op.root, requestTopic('camera/disable')), JSON.stringify(msg), { qos: 1 });
    const replay = await waitFor(() => op.responses.slice(before).find((x) => x.body.id === 'd1')?.body);
    assert.equal(replay.error?.code, 'COMMAND_REPLAYED');

    const stale = await op.request('camera/enable', signed('camera/enable', { camera: 'cam-1' }, { id: 'd2', ts: Date.now() - 3600e3 }), 'd2');
    assert.equal(stale.error?.code, 'COMMAND_STALE');
    const cross = await op.request('camera/enable', signed('camera/disable', { camera: 'cam-1' }, { id: 'd3' }), 'd3');
    assert.equal(cross.error?.code, 'REQUEST_WRONG_COMMAND');
    const otherGw = await op.request('camera/enable', signed('camera/enable', { camera: 'cam-1' }, { id: 'd4', gateway: 'gw-x' }), 'd4');
    assert.equal(otherGw.error?.code, 'REQUEST_WRONG_GATEWAY');
    const forged = signed('camera/enable', { camera: 'cam-1' }, { id: 'd5' });
    const badSig = await op.request('camera/enable', { ...forged, signature: signed('camera/enable', { camera: 'cam-2' }).signature }, 'd5');
    assert.equal(badSig.error?.code, 'SIGNATURE_INVALID');
    assert.equal(gw.host.enabledCalls.length, 1, 'a refused command reached the host');
  });

  it('a replayed signed command is still refused by a restarted service (nonces persist)', async () => {
    const msg = signed('camera/enable', { camera: 'cam-2' }, { id: 'p1' });
    assert.equal((await op.request('camera/enable', msg, 'p1')).status, 'ok');
    await gw.stop();
    gw = await startGateway({ id: GW, dataDir, fileConfig: gw.service.runningConfig });
    const before = op.responses.length;
    await op.mqtt.publishAsync(under(op.root, requestTopic('camera/enable')), JSON.stringify(msg), { qos: 1 });
    const replay = await waitFor(() => op.responses.slice(before).find((x) => x.body.id === 'p1')?.body);
    assert.equal(replay.error?.code, 'COMMAND_REPLAYED');
    assert.equal(gw.host.enabledCalls.length, 0);
  });

  it('snapshot, clip, diag and restart run through the host; bad arguments and unknown names are answered with codes', async () => {
    const req = (name: string, args: Record<string, unknown>, id: string) => op.request(name, signed(name, args, { id }), id);
    assert.deepEqual((await req('snapshot', { camera: 'cam-2' }, 's1')).data, { camera: 'cam-2', snapshotId: 'snap-cam-2' });
    assert.equal((await req('snapshot', { camera: 'nope' }, 's2')).error?.code, 'CAMERA_UNKNOWN');
    const clip = await req('clip', { camera: 'cam-1', from: '2026-01-01T00:00:00Z', to: '2026-01-01T00:00:10Z' }, 'c1');
    assert.deepEqual(clip.data, { camera: 'cam-1', fromMs: Date.parse('2026-01-01T00:00:00Z'), toMs: Date.parse('2026-01-01T00:00:10Z') });
    assert.equal((await req('clip', { camera: 'cam-1', from: 10, to: 5 }, 'c2')).error?.code, 'COMMAND_BAD_ARGS');
    assert.equal((await req('clip', { camera: 'cam-1', from: 0, to: 3600e3 }, 'c3')).error?.code, 'CLIP_TOO_LONG');
    assert.equal((await req('clip', { camera: 'cam-1' }, 'c4')).error?.code, 'COMMAND_BAD_ARGS');
    assert.equal((await req('clip', { camera: 'cam-1', from: Date.now() + 86400e3, to: Date.now() + 86410e3 }, 'c5')).error?.code, 'COMMAND_TOO_FAR_AHEAD');
    assert.equal((await req('diag', {}, 'g1')).status, 'ok');
    for (const [name, args] of [['snapshot', { camera: 'cam-2' }], ['clip', { camera: 'cam-1', from: 0, to: 1000 }], ['diag', {}]] as const) {
      assert.equal((await op.request(name, { id: `u-${name}`, args }, `u-${name}`)).error?.code, 'COMMAND_UNSIGNED', `unsigned ${name}`);
    }
    assert.equal((await op.request('self-destruct', { id: 'u1' }, 'u1')).error?.code, 'COMMAND_UNKNOWN');
    assert.equal((await op.request('diag', 'not json', null as unknown as string)).error?.code, 'REQUEST_MALFORMED');
    assert.equal((await op.request('restart', { id: 'r0' }, 'r0')).error?.code, 'COMMAND_UNSIGNED');
    assert.equal(gw.host.restarts, 0);
    assert.equal((await op.request('restart', signed('restart', {}, { id: 'r1' }), 'r1')).status, 'ok');
    await waitFor(() => gw.host.restarts === 1, { what: 'host.restart() after the answer' });
  });
});
