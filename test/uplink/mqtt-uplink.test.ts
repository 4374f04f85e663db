import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import mqtt from 'mqtt';
import { MqttUplink } from '../../agent/uplink/mqtt-uplink.js';
import type { IncomingMessage } from '../../agent/uplink/types.js';
import { MosquittoBroker } from '../support/mosquitto.js';
import { MqttCollector } from '../support/mqtt-collector.js';
import { REPO_ROOT } from '../support/tmp.js';
import { waitFor } from '../support/wait.js';
import { mqttConfig, quietLogger } from './helpers.js';

type Status = { state: string; version?: string; ts?: string; reason?: string; site?: string };

describe('MqttUplink (real Mosquitto)', function () {
  let broker: MosquittoBroker;
  const cleanups: Array<() => Promise<void>> = [];

  before(async () => {
    broker = await new MosquittoBroker().start();
  });
  afterEach(async () => {
    while (cleanups.length) await cleanups.pop()!();
  });
  after(async () => broker.dispose());

  function uplinkFor(gatewayId: string, url = broker.url): MqttUplink {
    const u = new MqttUplink({ mqtt: mqttConfig(url), gatewayId, statusPayload: () => ({ site: 'test-site' }), logger: quietLogger });
    cleanups.push(() => u.stop());
    return u;
  }

  async function collector(filter: string): Promise<MqttCollector> {
    const c = await new MqttCollector(broker.url, filter).start();
    cleanups.push(() => c.stop());
    return c;
  }

  it('publishes a retained online status on connect and offline on a clean stop', async () => {
    const u = uplinkFor('gw-status');
    u.start();
    await waitFor(() => u.connected, { what: 'uplink connected' });
    // A subscriber arriving later still sees the retained status.
    const c = await collector('edge/gw-status/status');
    const online = await c.waitForMessage<Status>('/status', (m) => m.state === 'online');
    assert.equal(online.site, 'test-site');
    assert.match(online.version ?? '', /^\d+\.\d+\.\d+/);
    assert.ok(Date.parse(online.ts ?? '') > Date.now() - 60000);
    assert.equal(c.messages[0].retain, true);
    await u.stop();
    const offline = await c.waitForMessage<Status>('/status', (m) => m.state === 'offline');
    assert.equal(offline.reason, 'stopped');
  });

  it('keeps topics under its own root and answers on MQTT 5 response topics', async () => {
    const u = uplinkFor('gw-topics');
    u.start();
    await waitFor(() => u.connected, { what: 'uplink connected' });
    const events = await collector('edge/gw-topics/events');
    await u.publish('events', JSON.stringify({ n: 1 }), { qos: 1 });
    await events.waitForMessage<{ n: number }>('/events', (m) => m.n === 1);

    await assert.rejects(u.publish('../gw-other/events', 'x', { qos: 1 }), { code: 'UPLINK_TOPIC_OUTSIDE_ROOT' });
    await assert.rejects(u.publish('events/#', 'x', { qos: 1 }), { code: 'UPLINK_TOPIC_INVALID' });
    await assert.rejects(u.publish('/abs', 'x', { qos: 1 }), { code: 'UPLINK_TOPIC_INVALID' });
    await assert.rejects(u.subscribe('../#', () => {}), { code: 'UPLINK_TOPIC_OUTSIDE_ROOT' });
    await assert.rejects(u.publishAbsolute('central/#', 'x', { qos: 1 }), { code: 'UPLINK_TOPIC_INVALID' });

    const got: IncomingMessage[] = [];
    await u.subscribe('request/#', (m) => {
      got.push(m);
      if (m.responseTopic) void u.publishAbsolute(m.responseTopic, '{"ok":true}', { qos: 1, correlationData: m.correlationData });
    });
    const requester = await mqtt.connectAsync(broker.url, { protocolVersion: 5 });
    cleanups.push(() => requester.endAsync());
    const answers: Array<{ payload: string; corr?: string }> = [];
    requester.on('message', (_t, payload, packet) => answers.push({ payload: payload.toString(), corr: packet.properties?.correlationData?.toString() }));
    await requester.subscribeAsync('central/replies/1', { qos: 1 });
    await requester.publishAsync('edge/gw-topics/request/config/get', '{}', { qos: 1, properties: { responseTopic: 'central/replies/1', correlationData: Buffer.from('c-42') } });
    await requester.publishAsync('edge/gw-other/request/config/get', '{}', { qos: 1 });
    await waitFor(() => answers.length > 0, { what: 'the answer on the response topic' });
    assert.deepEqual(answers[0], { payload: '{"ok":true}', corr: 'c-42' });
    assert.equal(got.length, 1);
    assert.equal(got[0].topic, 'request/config/get');
    assert.equal(got[0].responseTopic, 'central/replies/1');
  });

  it('runs offline, reconnects after a broker restart and resubscribes when the session was lost', async () => {
    const own = await new MosquittoBroker().start(); // persistence off: a restart loses our session
    cleanups.push(() => own.dispose());
    const u = uplinkFor('gw-reconnect', own.url);
    const changes: boolean[] = [];
    u.onConnectionChange((c) => changes.push(c));
    const got: string[] = [];
    await u.subscribe('cmd/#', (m) => got.push(m.payload.toString())); // before start: made at connect
    u.start();
    await waitFor(() => u.connected, { what: 'uplink connected' });
    await own.stop();
    await waitFor(() => !u.connected, { what: 'uplink noticed the broker is gone' });
    await assert.rejects(u.publish('events', 'x', { qos: 1 }), { code: 'UPLINK_OFFLINE' });
    await own.start();
    await waitFor(() => u.connected, { timeoutMs: 30000, what: 'uplink reconnected' });
    const sender = await mqtt.connectAsync(own.url, { protocolVersion: 5 });
    cleanups.push(() => sender.endAsync());
    await waitFor(async () => {
      await sender.publishAsync('edge/gw-reconnect/cmd/x', 'after-restart', { qos: 1 });
      return got.includes('after-restart');
    }, { what: 'a command delivered through the renewed subscription', intervalMs: 300 });
    assert.deepEqual(changes.slice(0, 3), [true, false, true]);
    const c = await new MqttCollector(own.url, 'edge/gw-reconnect/status').start();
    cleanups.push(() => c.stop());
    await c.waitForMessage<Status>('/status', (m) => m.state === 'online');
  });

  it('speaks MQTT 3.1.1 when mqtt.protocolVersion is 4 (brokers without MQTT 5)', async () => {
    const u = new MqttUplink({ mqtt: mqttConfig(broker.url, { protocolVersion: 4 }), gatewayId: 'gw-v4', statusPayload: () => ({}), logger: quietLogger });
    cleanups.push(() => u.stop());
    u.start();
    await waitFor(() => u.connected, { what: 'v4 uplink connected' });
    const c = await collector('edge/gw-v4/#');
    await c.waitForMessage<Status>('/status', (m) => m.state === 'online');
    await u.publish('events', '{"v":4}', { qos: 1 });
    await c.waitForMessage<{ v: number }>('/events', (m) => m.v === 4);
    assert.equal(u.receiveMaximum, undefined);
  });

  it('never has more QoS 1 publishes in flight than the broker\'s receive maximum, and keeps their order', async () => {
    const small = await new MosquittoBroker({ extraConfig: ['max_inflight_messages 5'] }).start();
    cleanups.push(() => small.dispose());
    const u = uplinkFor('gw-rm', small.url);
    u.start();
    await waitFor(() => u.connected, { what: 'uplink connected' });
    assert.equal(u.receiveMaximum, 5);
    const c = await new MqttCollector(small.url, 'edge/gw-rm/events').start();
    cleanups.push(() => c.stop());
    // Counted on the wire: a QoS 1 PUBLISH written and not yet PUBACKed is in flight. Held publishes go
    // out from the PUBACK callback, so sampling only where publish() is called would never see them.
    const client = (u as unknown as { client: mqtt.MqttClient }).client;
    const inFlight = new Set<number>();
    let peak = 0;
    let sent = 0;
    client.on('packetsend', (p) => {
      if (p.cmd !== 'publish' || p.qos !== 1 || p.messageId === undefined) return;
      sent++;
      inFlight.add(p.messageId);
      peak = Math.max(peak, inFlight.size);
    });
    client.on('packetreceive', (p) => {
      if (p.cmd === 'puback' && p.messageId !== undefined) inFlight.delete(p.messageId);
    });
    await Promise.all([...Array(40).keys()].map((i) => u.publish('events', JSON.stringify({ i }), { qos: 1 })));
    assert.equal(sent, 40, 'every publish counted');
    // The receive maximum less the one kept for the status publish, reached (so publishes were held) and never passed.
    assert.equal(peak, 4, `peak in flight ${peak}`);
    await waitFor(() => c.json<{ i: number }>('/events').length === 40, { what: 'all 40 delivered' });
    assert.deepEqual(c.json<{ i: number }>('/events').map((m) => m.i), [...Array(40).keys()]);
  });

  it('the broker publishes the offline will when the agent process is killed', async () => {
    const c = await collector('edge/gw-will/status');
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(REPO_ROOT, 'test/uplink/uplink-child.ts')], {
      cwd: REPO_ROOT, env: { ...process.env, BROKER_URL: broker.url, GATEWAY_ID: 'gw-will' }, stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    cleanups.push(async () => { child.kill('SIGKILL'); });
    await waitFor(() => out.includes('connected'), { timeoutMs: 60000, what: 'child uplink connected' });
    await c.waitForMessage<Status>('/status', (m) => m.state === 'online');
    child.kill('SIGKILL');
    const will = await c.waitForMessage<Status>('/status', (m) => m.state === 'offline');
    assert.equal(will.reason, 'connection lost');
    // Retained: a late subscriber sees the gateway offline.
    const late = await collector('edge/gw-will/status');
    const seen = await late.waitForMessage<Status>('/status');
    assert.equal(seen.state, 'offline');
  });
});
