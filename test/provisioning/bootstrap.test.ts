import assert from 'node:assert/strict';
import { chmodSync, chownSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ConfigInvalidError } from '../../agent/config/load.js';
import { deriveGatewayId } from '../../agent/identity/gateway-id.js';
import { loadBootstrap } from '../../agent/provisioning/bootstrap.js';
import { signDesiredConfig } from '../../agent/provisioning/operator/sign.js';
import { loadTrustStore } from '../../agent/provisioning/trust-store.js';
import { MosquittoBroker } from '../support/mosquitto.js';
import { REPO_ROOT, tempDir } from '../support/tmp.js';
import { makeConfig, makeFleet, PREFIX, startGateway } from './support/fixture.js';
import { loadKeysAs } from './support/load-keys-as.js';
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
    // install.sh's root:edge-agent 0640: only the agent's own group reads it. Another group is warned about.
    chmodSync(file, 0o640);
    chownSync(file, 0, process.getgid?.() ?? 0);
    assert.deepEqual(loadBootstrap(file).warnings, []);
    chownSync(file, 0, (process.getgid?.() ?? 0) + 1);
    assert.match(loadBootstrap(file).warnings.join('\n'), /readable by other users: chmod 600 it \(or 640 with the agent's own group\)/);
  });

  it('refuses a bootstrap without trusted keys or with a bad broker URL, listing the problems', () => {
    const file = path.join(tmp.dir, 'bad.json');
    writeFileSync(file, JSON.stringify({ mqtt: { url: 'mqtt://x' }, trustedKeys: [] }));
    assert.throws(() => loadBootstrap(file), (e: unknown) => e instanceof ConfigInvalidError && e.problems.some((p) => p.path === 'trustedKeys'));
    const fleet = makeFleet(tmp.dir, 'f2');
    writeFileSync(file, JSON.stringify({ gatewayId: 'gw-b1', dataDir: path.join(tmp.dir, 'd2'), mqtt: { url: 'http://nope' }, trustedKeys: [fleet.pubFile] }));
    assert.throws(() => loadBootstrap(file), (e: unknown) => e instanceof ConfigInvalidError && e.problems.some((p) => p.path === 'mqtt.url'));
  });

  it('refuses a bootstrap file it cannot read (BOOTSTRAP_UNREADABLE) and an inline key that is no public key (BOOTSTRAP_INVALID)', () => {
    const missing = path.join(tmp.dir, 'no-such-bootstrap.json');
    assert.throws(() => loadBootstrap(missing), { code: 'BOOTSTRAP_UNREADABLE', message: new RegExp(`cannot read bootstrap file ${missing}`) });
    const notJson = path.join(tmp.dir, 'truncated.json');
    writeFileSync(notJson, '{"mqtt": {"url": ');
    assert.throws(() => loadBootstrap(notJson), { code: 'BOOTSTRAP_UNREADABLE' });
    const file = path.join(tmp.dir, 'bad-key.json');
    const fleet = makeFleet(tmp.dir, 'f-cut-short');
    const cutShort = readFileSync(fleet.pubFile, 'utf8').replace(/\n[A-Za-z0-9+/=]+\n/, '\nMCowBQYDK2Vw\n'); // a paste that lost most of the key
    writeFileSync(file, JSON.stringify({ dataDir: path.join(tmp.dir, 'd3'), mqtt: { url: 'mqtt://127.0.0.1:1883' }, trustedKeys: [readFileSync(fleet.pubFile, 'utf8'), cutShort] }));
    assert.throws(() => loadBootstrap(file), { code: 'BOOTSTRAP_INVALID', message: 'trustedKeys[1] is not a PEM public key' });
  });

  it('the example bootstrap file is valid and names the root-owned trusted-keys folder', () => {
    const example = JSON.parse(readFileSync(path.join(REPO_ROOT, 'provisioning/bootstrap.example.json'), 'utf8')) as { trustedKeys: string[] };
    assert.deepEqual(example.trustedKeys, ['/etc/edge-agent/trusted-keys']);
    const etc = path.join(tmp.dir, 'example-etc');
    const fleet = makeFleet(etc, 'trusted-keys');
    const file = path.join(tmp.dir, 'example.json');
    writeFileSync(file, JSON.stringify({ ...example, dataDir: path.join(tmp.dir, 'example-data'), trustedKeys: example.trustedKeys.map((k) => k.replace('/etc/edge-agent', etc)) }));
    const r = loadBootstrap(file);
    assert.deepEqual(loadTrustStore(r.config.provisioning.trustedKeys).map((k) => k.kid), [fleet.kid]);
  });

  it('as the service user: inline keys (written to its data dir) are refused, TRUST_KEY_WRITABLE; the root-owned folder loads', () => {
    const SERVICE = 65534; // nobody: stands in for edge-agent (tests run as root, who may change anything)
    chmodSync(tmp.dir, 0o755); // mkdtemp's 0700 would stop the user before the files under test
    const etc = path.join(tmp.dir, 'service-etc');
    const fleet = makeFleet(etc, 'trusted-keys');
    for (const dir of [etc, path.dirname(fleet.pubFile)]) chmodSync(dir, 0o755); // root-owned, as install.sh leaves them
    const dataDir = path.join(tmp.dir, 'service-data');
    mkdirSync(dataDir, { mode: 0o750 });
    chownSync(dataDir, SERVICE, SERVICE); // as install.sh leaves /var/lib/edge-agent
    const bootstrap = (name: string, trustedKeys: string[]): string => {
      const file = path.join(tmp.dir, name);
      writeFileSync(file, JSON.stringify({ gatewayId: 'gw-service', dataDir, mqtt: { url: 'mqtt://127.0.0.1' }, trustedKeys }));
      return file;
    };
    const inline = loadKeysAs(SERVICE, SERVICE, 'bootstrap', bootstrap('inline.json', [readFileSync(fleet.pubFile, 'utf8')]));
    assert.equal(inline.code, 'TRUST_KEY_WRITABLE', JSON.stringify(inline));
    assert.match(inline.message ?? '', new RegExp(`${dataDir}/provisioning/trust/${fleet.kid}\\.pub is refused`));
    assert.deepEqual(loadKeysAs(SERVICE, SERVICE, 'bootstrap', bootstrap('folder.json', [path.dirname(fleet.pubFile)])), { kids: [fleet.kid] });
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
