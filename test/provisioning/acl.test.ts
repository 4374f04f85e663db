import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import pino from 'pino';
import { MqttUplink } from '../../agent/uplink/mqtt-uplink.js';
import { signCommand, signDesiredConfig } from '../../agent/provisioning/operator/sign.js';
import { MosquittoBroker } from '../support/mosquitto.js';
import { tempDir } from '../support/tmp.js';
import { waitFor } from '../support/wait.js';
import { generatePkiWithClients } from './support/client-certs.js';
import { makeConfig, makeFleet, PREFIX, startGateway, validated, type Gateway } from './support/fixture.js';
import { OperatorProbe } from './support/operator-probe.js';

/**
 * Mosquitto with client certificates (CN = user name) and an ACL confining each gateway to
 * edge/<its id>/#: gateway B, even holding validly signed messages, cannot read or change gateway A.
 */
describe('provisioning: per-gateway ACL with client certificates (real Mosquitto, TLS)', function () {
  let broker: MosquittoBroker;
  let tmp: { dir: string; cleanup: () => void };
  let pki: ReturnType<typeof generatePkiWithClients>;
  let gwA: Gateway<MqttUplink> | undefined;
  let op: OperatorProbe | undefined;
  let b: MqttClient | undefined;

  before(async () => {
    tmp = tempDir('prov-acl-');
    pki = generatePkiWithClients(tmp.dir, ['gw-a', 'gw-b', 'operator']);
    broker = new MosquittoBroker({
      listenerConfig: [
        'listener {port} 127.0.0.1',
        `cafile ${pki.ca}`,
        `certfile ${pki.serverCert}`,
        `keyfile ${pki.serverKey}`,
        'require_certificate true',
        'use_identity_as_username true',
        'allow_anonymous false',
        'acl_file {dir}/acl',
        // Stay root in the test: mosquitto would otherwise drop to its own user, which cannot read the 0700 temp dir.
        'user root',
      ],
    });
    writeFileSync(path.join(broker.dir, 'acl'), ['user operator', 'topic readwrite edge/#', '', 'pattern readwrite edge/%u/#', ''].join('\n'));
    await broker.start();
  });
  after(async () => {
    await b?.endAsync(true);
    await op?.stop();
    await gwA?.stop();
    await broker.dispose();
    tmp.cleanup();
  });

  it('gateway B can neither read gateway A\'s topics nor provision or command it; A answers only under its own prefix', async () => {
    const url = `mqtts://127.0.0.1:${broker.port}`;
    const fleet = makeFleet(tmp.dir);
    const dataDir = path.join(tmp.dir, 'gw-a');
    const tls = (name: string) => ({ ca: pki.ca, cert: pki.clients[name]!.cert, key: pki.clients[name]!.key });
    const raw = makeConfig(dataDir, url, [fleet.pubFile]);
    const fileConfig = validated({ ...raw, mqtt: { url, tls: tls('gw-a') } });
    const uplink = new MqttUplink({ mqtt: fileConfig.mqtt, gatewayId: 'gw-a', statusPayload: () => ({}), logger: pino({ level: 'silent' }) });
    uplink.start();
    await waitFor(() => uplink.connected, { timeoutMs: 30000, what: 'gateway A connected with its client certificate' });
    gwA = await startGateway({ id: 'gw-a', dataDir, fileConfig, uplink });

    const tlsOpts = (name: string) => ({ ca: readFileSync(pki.ca), cert: readFileSync(tls(name).cert), key: readFileSync(tls(name).key), rejectUnauthorized: true });
    op = await new OperatorProbe(url, `${PREFIX}/gw-a`, tlsOpts('operator')).start();
    const v1 = { ...raw, mqtt: { url, tls: tls('gw-a') }, cameras: [{ id: 'cam-1', source: { kind: 'test' } }, { id: 'cam-2', source: { kind: 'test' } }] };
    const applied = await op.desired(JSON.stringify(signDesiredConfig(fleet, { gateway: 'gw-a', version: 1, config: v1 })));
    assert.equal(applied.status, 'applied', 'positive control: the operator may provision A');

    // Gateway B: a legitimate client of the same broker with its own certificate, listening for A.
    const bSeen: string[] = [];
    b = await mqtt.connectAsync(url, { protocolVersion: 5, reconnectPeriod: 0, clientId: 'gw-b', ...tlsOpts('gw-b') });
    b.on('message', (topic) => bSeen.push(topic));
    await b.subscribeAsync(['edge/gw-a/#', 'edge/+/config/reported', `${PREFIX}/gw-b/#`], { qos: 1 });
    await b.publishAsync(`${PREFIX}/gw-b/probe`, 'own', { qos: 1 });
    await waitFor(() => bSeen.includes(`${PREFIX}/gw-b/probe`), { what: 'positive control: B reads its own prefix' });

    // B replays a validly signed config and commands at A (worst case: it captured them or holds a
    // key), each from a fresh connection: Mosquitto 2.0 disconnects an MQTT 5 client whose publish is denied.
    const attack = async (n: number, topic: string, payload: string, properties?: { responseTopic: string; correlationData: Buffer }) => {
      const c = await mqtt.connectAsync(url, { protocolVersion: 5, reconnectPeriod: 0, clientId: `gw-b-attack-${n}`, ...tlsOpts('gw-b') });
      let closed = false;
      c.on('close', () => (closed = true));
      await c.publishAsync(topic, payload, { qos: 0, retain: topic.endsWith('desired'), properties }).catch(() => undefined);
      await waitFor(() => closed, { what: `the broker refusing B's publish to ${topic}` });
      await c.endAsync(true);
    };
    const v2 = { ...v1, cameras: [{ id: 'cam-evil', source: { kind: 'test' } }] };
    await attack(1, `${PREFIX}/gw-a/config/desired`, JSON.stringify(signDesiredConfig(fleet, { gateway: 'gw-a', version: 2, config: v2 })));
    await attack(2, `${PREFIX}/gw-a/request/camera/disable`, JSON.stringify(signCommand(fleet, { gateway: 'gw-a', command: 'camera/disable', args: { camera: 'cam-1' } })));
    await attack(3, `${PREFIX}/gw-a/request/config/get`, JSON.stringify({ id: 'from-b' }), { responseTopic: `${PREFIX}/gw-b/response/steal`, correlationData: Buffer.from('b') });

    // A gateway cannot publish into another's space either, even if its code tried: the broker drops
    // the connection and the uplink reconnects.
    await gwA.uplink.publishAbsolute(`${PREFIX}/gw-b/config/desired`, 'from-a', { qos: 0 });

    // The operator asks A for its config with a response topic in B's space: A must answer only in its own.
    const got = await op.request('config/get', { id: 'op-1' }, 'op-1', { responseTopic: `${PREFIX}/gw-b/response/x`, correlationData: Buffer.from('o') });
    assert.equal(got.status, 'ok');
    assert.equal((got.data as { version: number }).version, 1);
    await b.publishAsync(`${PREFIX}/gw-b/probe`, 'own-2', { qos: 1 });
    await waitFor(() => bSeen.filter((t) => t === `${PREFIX}/gw-b/probe`).length === 2, { what: 'B\'s second own message (orders the check below)' });
    assert.ok(b.connected, 'B (listening only) stayed connected');

    assert.deepEqual(bSeen.filter((t) => t !== `${PREFIX}/gw-b/probe`), [], 'gateway B read something outside its own prefix or A wrote into B\'s');
    assert.deepEqual(gwA.host.applied.map((c) => c.cameras.map((x) => x.id).join(',')), ['cam-1,cam-2'], 'B changed A\'s config');
    assert.deepEqual(gwA.host.enabledCalls, [], 'B commanded A');
    assert.deepEqual(op.reports.map((r) => `${r.version}:${r.status}`), ['1:applied'], 'A saw B\'s config at all');
    assert.ok(!op.responses.some((r) => r.body.id === 'from-b'), 'A saw B\'s request');
  });
});
