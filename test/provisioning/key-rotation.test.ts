import assert from 'node:assert/strict';
import path from 'node:path';
import { MosquittoBroker } from '../support/mosquitto.js';
import { tempDir } from '../support/tmp.js';
import { signJws } from '../../agent/provisioning/jws.js';
import { signCommand, signDesiredConfig } from '../../agent/provisioning/operator/sign.js';
import { makeConfig, makeFleet, PREFIX, startGateway, validated, type Gateway } from './support/fixture.js';
import { OperatorProbe } from './support/operator-probe.js';

/**
 * docs/provisioning.md "Trust store": rotating the fleet key is listing old and new, then only the
 * new; the key a message's `kid` names is tried first, then the others. Through a real Mosquitto and
 * the agent's MqttUplink: each step is pushed as a signed config, signed by a key trusted at the time.
 */
describe('provisioning: fleet key rotation by kid (real Mosquitto, MqttUplink)', function () {
  const GW = 'gw-rotate';
  let broker: MosquittoBroker;
  let tmp: { dir: string; cleanup: () => void };
  let gw: Gateway;
  let op: OperatorProbe;

  before(async () => {
    tmp = tempDir('prov-rotate-');
    broker = await new MosquittoBroker().start();
  });
  after(async () => {
    await op?.stop();
    await gw?.stop();
    await broker.dispose();
    tmp.cleanup();
  });

  it('accepts configs and commands of the new key once listed, and refuses the removed key with SIGNATURE_INVALID, also under the new key\'s kid', async () => {
    const dataDir = path.join(tmp.dir, GW);
    const oldKey = makeFleet(tmp.dir, 'fleet-2025');
    const newKey = makeFleet(tmp.dir, 'fleet-2026');
    assert.notEqual(oldKey.kid, newKey.kid);
    const config = (trusted: string[], cameras: string[]) => makeConfig(dataDir, broker.url, trusted, { cameras });
    gw = await startGateway({ id: GW, dataDir, fileConfig: validated(config([oldKey.pubFile], ['cam-1'])) });
    op = await new OperatorProbe(broker.url, `${PREFIX}/${GW}`).start();
    const push = (key: typeof oldKey, version: number, trusted: string[], cameras: string[]) =>
      op.desired(JSON.stringify(signDesiredConfig(key, { gateway: GW, version, config: config(trusted, cameras) })));
    let n = 0;
    const command = (key: typeof oldKey, camera: string) => {
      const id = `c${++n}`;
      return op.request('camera/disable', signCommand(key, { gateway: GW, command: 'camera/disable', args: { camera }, id }), id);
    };

    // Before the rotation the new key is a stranger.
    assert.equal((await push(newKey, 1, [newKey.pubFile], ['cam-1', 'cam-2'])).error?.code, 'SIGNATURE_INVALID');
    assert.equal((await command(newKey, 'cam-1')).error?.code, 'SIGNATURE_INVALID');

    // Step 1, signed by the old key: trust old and new.
    assert.equal((await push(oldKey, 1, [oldKey.pubFile, newKey.pubFile], ['cam-1', 'cam-2'])).status, 'applied');
    const byNew = await push(newKey, 2, [oldKey.pubFile, newKey.pubFile], ['cam-1', 'cam-2', 'cam-3']);
    assert.equal(byNew.status, 'applied', JSON.stringify(byNew));
    assert.equal((await command(newKey, 'cam-1')).status, 'ok');
    assert.equal((await command(oldKey, 'cam-2')).status, 'ok', 'the old key still works while listed');

    // Step 2, signed by the new key: trust only the new one.
    assert.equal((await push(newKey, 3, [newKey.pubFile], ['cam-1'])).status, 'applied');
    assert.deepEqual(gw.host.current.provisioning.trustedKeys, [newKey.pubFile]);
    const removed = await push(oldKey, 4, [oldKey.pubFile], ['cam-1', 'cam-9']);
    assert.equal(removed.status, 'rejected');
    assert.equal(removed.error?.code, 'SIGNATURE_INVALID');
    assert.equal((await command(oldKey, 'cam-1')).error?.code, 'SIGNATURE_INVALID');
    // A kid is a hint, not a credential: the removed key naming the new key's kid is still refused ...
    const underNewKid = signJws({ gateway: GW, version: 4, issuedAt: new Date().toISOString(), config: config([oldKey.pubFile], ['cam-9']) }, 'edge-desired-config', oldKey.privateKey, newKey.kid);
    assert.equal((await op.desired(JSON.stringify(underNewKid))).error?.code, 'SIGNATURE_INVALID');
    // ... and the new key under an unknown kid is still tried (the whole store is), and version 4 was not used up.
    const unknownKid = signJws({ gateway: GW, version: 4, issuedAt: new Date().toISOString(), config: config([newKey.pubFile], ['cam-4']) }, 'edge-desired-config', newKey.privateKey, '0000000000000000');
    const applied = await op.desired(JSON.stringify(unknownKid));
    assert.equal(applied.status, 'applied', JSON.stringify(applied));
    assert.deepEqual(gw.host.current.cameras.map((c) => c.id), ['cam-4']);
  });

  it('with every fleet key removed, a signed config and command are refused with SIGNATURE_NO_TRUSTED_KEYS', async () => {
    const id = 'gw-keyless';
    const dataDir = path.join(tmp.dir, id);
    const fleet = makeFleet(tmp.dir, 'fleet-keyless');
    const keyless = await startGateway({ id, dataDir, fileConfig: validated(makeConfig(dataDir, broker.url, [])) });
    const probe = await new OperatorProbe(broker.url, `${PREFIX}/${id}`).start();
    try {
      const report = await probe.desired(JSON.stringify(signDesiredConfig(fleet, { gateway: id, version: 1, config: makeConfig(dataDir, broker.url, [fleet.pubFile]) })));
      assert.equal(report.error?.code, 'SIGNATURE_NO_TRUSTED_KEYS', JSON.stringify(report));
      const answer = await probe.request('camera/disable', signCommand(fleet, { gateway: id, command: 'camera/disable', args: { camera: 'cam-1' }, id: 'k1' }), 'k1');
      assert.equal(answer.error?.code, 'SIGNATURE_NO_TRUSTED_KEYS');
      assert.deepEqual(keyless.host.enabledCalls, []);
    } finally {
      await probe.stop();
      await keyless.stop();
    }
  });
});
