import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import pino from 'pino';
import type { ConfigReport } from '../../agent/contract/index.js';
import { LastGoodConfigStore } from '../../agent/provisioning/last-good-store.js';
import { signDesiredConfig } from '../../agent/provisioning/operator/sign.js';
import { MqttUplink } from '../../agent/uplink/mqtt-uplink.js';
import { MosquittoBroker } from '../support/mosquitto.js';
import { tempDir } from '../support/tmp.js';
import { waitFor } from '../support/wait.js';
import { makeConfig, makeFleet, PREFIX, startGateway, validated, type Gateway } from './support/fixture.js';
import { OperatorProbe } from './support/operator-probe.js';

/**
 * The anti-replay floor for desired configs (the highest version used up) never moves down because
 * a file did not read: an old signed config (say one trusting a since-revoked key) must not be
 * taken again after the gateway restarted on a fallback config (version 0).
 */
describe('provisioning: the desired-config version floor survives unreadable state files', function () {
  this.timeout(120000);
  const GW = 'gw-floor';
  const tmp = tempDir('prov-floor-');
  const dataDir = path.join(tmp.dir, GW);
  const store = new LastGoodConfigStore(dataDir);
  const stateFile = path.join(dataDir, 'provisioning', 'state.json');
  let broker: MosquittoBroker;
  let fleet: ReturnType<typeof makeFleet>;
  let op: OperatorProbe;
  let gw: Gateway<MqttUplink> | undefined;
  let raw: Record<string, unknown>;

  const signed = (version: number, cameras: string[]): string =>
    JSON.stringify(signDesiredConfig(fleet, { gateway: GW, version, config: { ...raw, cameras: cameras.map((id) => ({ id, source: { kind: 'test' } })) } }));
  /** As `edge-agent run` after it passed over last-good: the file config, version 0. */
  const startOnFile = async (): Promise<Gateway<MqttUplink>> => {
    const fileConfig = validated(raw);
    const uplink = new MqttUplink({ mqtt: fileConfig.mqtt, gatewayId: GW, statusPayload: () => ({}), logger: pino({ level: 'silent' }) });
    uplink.start();
    await waitFor(() => uplink.connected, { what: 'uplink connected' });
    return startGateway({ id: GW, dataDir, fileConfig, version: 0, uplink });
  };
  const push = (payload: string): Promise<ConfigReport> => op.desired(payload, false);

  before(async () => {
    broker = await new MosquittoBroker().start();
    fleet = makeFleet(tmp.dir);
    raw = makeConfig(dataDir, broker.url, [fleet.pubFile]);
    op = await new OperatorProbe(broker.url, `${PREFIX}/${GW}`).start();
  });
  afterEach(async () => {
    await gw?.stop();
    gw = undefined;
  });
  after(async () => {
    await op.stop();
    await broker.dispose();
    tmp.cleanup();
  });

  let captured: string;

  it('uses up versions 1 and 2 (state, last-good and previous written)', async () => {
    gw = await startOnFile();
    captured = signed(1, ['old']);
    assert.equal((await push(captured)).status, 'applied');
    assert.equal((await push(signed(2, ['cam-1', 'cam-2']))).status, 'applied');
    assert.equal(store.versionFloor(), 2);
  });

  it('a state file that does not read refuses desired configs with a code instead of taking an old one again', async () => {
    rmSync(stateFile);
    mkdirSync(stateFile); // exists, but reading it fails (EISDIR), also for root
    gw = await startOnFile();
    const report = await push(captured);
    assert.equal(report.status, 'rejected', JSON.stringify(report));
    assert.equal(report.error?.code, 'PROVISIONING_STATE_UNREADABLE');
    assert.deepEqual(gw.host.applied, [], 'nothing applied');
  });

  it('without a state file the last-good files hold the floor; one that does not read refuses', async () => {
    rmSync(stateFile, { recursive: true });
    gw = await startOnFile();
    const stale = await push(captured);
    assert.equal(stale.error?.code, 'PROVISIONING_STALE_VERSION', JSON.stringify(stale));
    await gw.stop();

    const lastGood = readFileSync(store.file);
    rmSync(stateFile, { force: true });
    writeFileSync(store.file, '{"version": 2, "config": {"gateway": '); // torn: its version is unknown
    gw = await startOnFile();
    assert.equal((await push(captured)).error?.code, 'PROVISIONING_STATE_UNREADABLE');
    assert.deepEqual(gw.host.applied, []);
    writeFileSync(store.file, lastGood);
  });

  it('a floor read in this run is kept when the state file stops reading, and the next version used up rewrites it', async () => {
    gw = await startOnFile();
    assert.equal((await push(captured)).error?.code, 'PROVISIONING_STALE_VERSION');
    writeFileSync(stateFile, '{"lastHandledVersion": ');
    assert.equal((await push(captured)).error?.code, 'PROVISIONING_STALE_VERSION', 'the floor read before is kept');
    assert.equal((await push(signed(3, ['cam-1']))).status, 'applied');
    assert.equal(store.versionFloor(), 3);
  });
});
