import assert from 'node:assert/strict';
import path from 'node:path';
import mqtt from 'mqtt';
import { readFileSync } from 'node:fs';
import { MqttUplink } from '../../agent/uplink/mqtt-uplink.js';
import type { AgentConfig } from '../../agent/config/schema/index.js';
import { MosquittoBroker } from '../support/mosquitto.js';
import { generateTestPki, type TestPki } from '../support/tls.js';
import { tempDir } from '../support/tmp.js';
import { waitFor } from '../support/wait.js';
import { createPasswordFile, mqttConfig, quietLogger } from './helpers.js';

describe('MqttUplink over TLS with client certificates and a password (real Mosquitto)', function () {
  let broker: MosquittoBroker;
  let pki: TestPki;
  let cleanupPki: () => void;
  const uplinks: MqttUplink[] = [];

  before(async () => {
    const t = tempDir('edge-pki-');
    cleanupPki = t.cleanup;
    pki = generateTestPki(t.dir);
    const passwd = path.join(t.dir, 'passwd');
    createPasswordFile(passwd, 'gw-user', 's3cret-pass');
    broker = await new MosquittoBroker({
      listenerConfig: [
        'listener {port} 127.0.0.1',
        `cafile ${pki.ca}`, `certfile ${pki.serverCert}`, `keyfile ${pki.serverKey}`,
        'require_certificate true', 'allow_anonymous false', `password_file ${passwd}`,
      ],
      extraConfig: ['user root'],
    }).start();
  });
  afterEach(async () => {
    while (uplinks.length) await uplinks.pop()!.stop();
  });
  after(async () => {
    await broker.dispose();
    cleanupPki();
  });

  function uplink(gatewayId: string, over: Partial<AgentConfig['mqtt']>): MqttUplink {
    const u = new MqttUplink({ mqtt: mqttConfig(`mqtts://127.0.0.1:${broker.port}`, over), gatewayId, statusPayload: () => ({}), logger: quietLogger });
    uplinks.push(u);
    u.start();
    return u;
  }

  const goodTls = (): NonNullable<AgentConfig['mqtt']['tls']> => ({ ca: pki.ca, cert: pki.clientCert, key: pki.clientKey, rejectUnauthorized: true });

  it('connects with CA, client certificate and a password from the environment, and publishes its status', async () => {
    process.env.EDGE_TEST_MQTT_PASSWORD = 's3cret-pass';
    const u = uplink('gw-tls', { tls: goodTls(), username: 'gw-user', password: { env: 'EDGE_TEST_MQTT_PASSWORD' } });
    await waitFor(() => u.connected, { timeoutMs: 30000, what: 'TLS uplink connected' });
    const reader = await mqtt.connectAsync(`mqtts://127.0.0.1:${broker.port}`, {
      protocolVersion: 5, ca: readFileSync(pki.ca), cert: readFileSync(pki.clientCert), key: readFileSync(pki.clientKey), username: 'gw-user', password: 's3cret-pass',
    });
    try {
      const statuses: string[] = [];
      reader.on('message', (_t, p) => statuses.push(p.toString()));
      await reader.subscribeAsync('edge/gw-tls/status', { qos: 1 });
      await waitFor(() => statuses.some((s) => (JSON.parse(s) as { state: string }).state === 'online'), { what: 'retained online status over TLS' });
      await u.publish('events', '{"tls":true}', { qos: 1 });
    } finally {
      await reader.endAsync();
    }
  });

  it('refuses a broker whose certificate is not signed by the configured CA', async () => {
    const u = uplink('gw-wrong-ca', { tls: { ...goodTls(), ca: pki.wrongCa }, username: 'gw-user', password: 's3cret-pass' });
    await waitFor(() => u.lastError, { timeoutMs: 30000, what: 'a TLS error' });
    assert.equal(u.connected, false);
    assert.match(u.lastError!.message, /certificate|self.signed|verify/i);
  });

  it('is refused by the broker with a wrong password or without a client certificate', async () => {
    const wrongPass = uplink('gw-wrong-pass', { tls: goodTls(), username: 'gw-user', password: 'nope' });
    const noCert = uplink('gw-no-cert', { tls: { ca: pki.ca, rejectUnauthorized: true }, username: 'gw-user', password: 's3cret-pass' });
    await waitFor(() => wrongPass.lastError && noCert.lastError, { timeoutMs: 30000, what: 'both refused' });
    assert.equal(wrongPass.connected, false);
    assert.equal(noCert.connected, false);
    assert.match(wrongPass.lastError!.message, /not authorized|bad user name or password/i);
  });

  it('reports an unreadable certificate file with an actionable code', () => {
    const u = new MqttUplink({ mqtt: mqttConfig(`mqtts://127.0.0.1:${broker.port}`, { tls: { ...goodTls(), ca: '/nonexistent/ca.pem' } }), gatewayId: 'gw-x', statusPayload: () => ({}), logger: quietLogger });
    assert.throws(() => u.start(), { code: 'UPLINK_TLS_FILE_UNREADABLE' });
  });
});
