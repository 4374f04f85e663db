import assert from 'node:assert/strict';
import path from 'node:path';
import { MosquittoBroker } from '../support/mosquitto.js';
import { generateTestPki, type TestPki } from '../support/tls.js';
import { tempDir } from '../support/tmp.js';
import { check, diagInProcess, validateReport } from './helpers.js';

describe('edge-agent diag over mqtts (real Mosquitto TLS listener, openssl-made PKI)', () => {
  const tmp = tempDir('diag-tls-');
  let pki: TestPki;
  let broker: MosquittoBroker;

  before(async () => {
    pki = generateTestPki(tmp.dir);
    broker = await new MosquittoBroker({
      listenerConfig: ['listener {port} 127.0.0.1', `cafile ${pki.ca}`, `certfile ${pki.serverCert}`, `keyfile ${pki.serverKey}`, 'require_certificate true', 'allow_anonymous true'],
      extraConfig: ['user root'],
    }).start();
  });
  after(async () => {
    await broker.dispose();
    tmp.cleanup();
  });

  const config = (ca: string): object => ({
    gateway: { id: 'gw-tls', dataDir: path.join(tmp.dir, 'data') },
    mqtt: { url: `mqtts://127.0.0.1:${broker.port}`, tls: { ca, cert: pki.clientCert, key: pki.clientKey } },
    cameras: [],
  });

  it('connects, and warns that the broker certificate expires within 30 days', async () => {
    const r = await diagInProcess(config(pki.ca), ['uplink']);
    assert.ok(validateReport(r.report), JSON.stringify(validateReport.errors));
    const t = check(r.report, 'uplink.tls');
    assert.equal(t.status, 'warn', t.detail);
    assert.ok(typeof t.value === 'number' && t.value >= 0 && t.value <= 2, `days left ${String(t.value)}`);
    assert.match(t.remedy ?? '', /renew the broker certificate/);
    assert.equal(check(r.report, 'uplink.mqtt').status, 'pass');
    assert.equal(r.exitCode, 1);
  });

  it('fails the handshake check with the CA remedy when the broker is signed by another CA', async () => {
    const r = await diagInProcess(config(pki.wrongCa), ['uplink']);
    const t = check(r.report, 'uplink.tls');
    assert.equal(t.status, 'fail');
    assert.match(t.detail ?? '', /not trusted/);
    assert.match(t.remedy ?? '', /set mqtt\.tls\.ca/);
    assert.equal(check(r.report, 'uplink.mqtt').status, 'skip', 'no second, misleading failure for the same cause');
    assert.equal(r.exitCode, 2);
  });
});
