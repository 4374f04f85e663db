import assert from 'node:assert/strict';
import { chmodSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ConfigInvalidError } from '../../agent/config/load.js';
import { deriveGatewayId } from '../../agent/identity/gateway-id.js';
import { loadBootstrap } from '../../agent/provisioning/bootstrap.js';
import { signDesiredConfig } from '../../agent/provisioning/operator/sign.js';
import { MosquittoBroker } from '../support/mosquitto.js';
import { REPO_ROOT, tempDir } from '../support/tmp.js';
import { makeConfig, makeFleet, PREFIX, startGateway } from './support/fixture.js';
import { OperatorProbe } from './support/operator-probe.js';

describe('provisioning: bootstrap file', function () {
  let tmp: { dir: string; cleanup: () => void };
  before(() => (tmp = tempDir('prov-boot-')));
  after(() => tmp.cleanup());

  it('materialises inline fleet keys and TLS material under dataDir with safe modes and derives the gateway id', () => {
    const fleet = makeFleet(tmp.dir);
    const dataDir = path.join(tmp.dir, 'data-1');
    const file = path.join(tmp.dir, 'bootstrap-1.json');
    writeFileSync(file, JSON.stringify({
      dataDir,
      mqtt: { url: 'mqtts://127.0.0.1:8883', username: 'gw', password: 'pw-123', tls: { ca: readFileSync(fleet.pubFile, 'utf8').replace('PUBLIC KEY', 'CERTIFICATE'), key: '-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----' } },
      trustedKeys: [readFileSync(fleet.pubFile, 'utf8')],
    }), { mode: 0o644 });
    chmodSync(file, 0o644);
    const r = loadBootstrap(file);
    assert.equal(r.gatewayId, deriveGatewayId());
    assert.equal(r.config.gateway.id, r.gatewayId);
    assert.equal(r.config.mqtt.url, 'mqtts://127.0.0.1:8883');
    assert.equal(r.config.provisioning.trustedKeys.length, 1);
    assert.equal(r.config.provisioning.trustedKeys[0], path.join(dataDir, 'provisioning', 'trust', `${fleet.kid}.pub`));
    assert.equal(statSync(path.join(dataDir, 'bootstrap', 'client.key')).mode & 0o777, 0o600);
    assert.equal(r.config.mqtt.tls?.key, path.join(dataDir, 'bootstrap', 'client.key'));
    assert.match(r.warnings.join('\n'), /chmod 600/);
  });

  it('refuses a bootstrap without trusted keys or with a bad broker URL, listing the problems', () => {
    const file = path.join(tmp.dir, 'bad.json');
    writeFileSync(file, JSON.stringify({ mqtt: { url: 'mqtt://x' }, trustedKeys: [] }));
    assert.throws(() => loadBootstrap(file), (e: unknown) => e instanceof ConfigInvalidError && e.problems.some((p) => p.path === 'trustedKeys'));
    const fleet = makeFleet(tmp.dir, 'f2');
    writeFileSync(file, JSON.stringify({ gatewayId: 'gw-b1', dataDir: path.join(tmp.dir, 'd2'), mqtt: { url: 'http://nope' }, trustedKeys: [fleet.pubFile] }));
    assert.throws(() => loadBootstrap(file), (e: unknown) => e instanceof ConfigInvalidError && e.problems.some((p) => p.path === 'mqtt.url'));
  });

  it('the example bootstrap file is valid', () => {
    const example = JSON.parse(readFileSync(path.join(REPO_ROOT, 'provisioning/bootstrap.example.json'), 'utf8')) as Record<string, unknown>;
    const file = path.join(tmp.dir, 'example.json');
    writeFileSync(file, JSON.stringify({ ...example, dataDir: path.join(tmp.dir, 'example-data') }));
    const r = loadBootstrap(file);
    assert.equal(r.config.provisioning.trustedKeys.length, 1);
  });

  it('a gateway started from a bootstrap file accepts the first push signed by the fleet key it names', async () => {
    const broker = await new MosquittoBroker().start();
    try {
      const fleet = makeFleet(tmp.dir, 'f3');
      const dataDir = path.join(tmp.dir, 'd3');
      const file = path.join(tmp.dir, 'bootstrap-3.json');
      writeFileSync(file, JSON.stringify({ gatewayId: 'gw-boot', dataDir, mqtt: { url: broker.url }, trustedKeys: [readFileSync(fleet.pubFile, 'utf8')] }), { mode: 0o600 });
      const boot = loadBootstrap(file);
      assert.deepEqual(boot.warnings, []);
      const gw = await startGateway({ id: boot.gatewayId, dataDir, fileConfig: boot.config });
      const op = await new OperatorProbe(broker.url, `${PREFIX}/gw-boot`).start();
      try {
        const desired = makeConfig(dataDir, broker.url, boot.config.provisioning.trustedKeys, { cameras: ['cam-1'] });
        const r = await op.desired(JSON.stringify(signDesiredConfig(fleet, { gateway: 'gw-boot', version: 1, config: desired })));
        assert.equal(r.status, 'applied', JSON.stringify(r));
        assert.deepEqual(gw.host.current.cameras.map((c) => c.id), ['cam-1']);
      } finally {
        await op.stop();
        await gw.stop();
      }
    } finally {
      await broker.dispose();
    }
  });
});
