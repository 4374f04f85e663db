import assert from 'node:assert/strict';
import path from 'node:path';
import pino from 'pino';
import { MqttUplink } from '../../agent/uplink/mqtt-uplink.js';
import { signDesiredConfig } from '../../agent/provisioning/operator/sign.js';
import { MosquittoBroker } from '../support/mosquitto.js';
import { tempDir } from '../support/tmp.js';
import { waitFor } from '../support/wait.js';
import { makeConfig, makeFleet, PREFIX, startGateway, validated, type Gateway } from './support/fixture.js';
import { OperatorProbe } from './support/operator-probe.js';
import { DESIRED_TOPIC, under } from '../../agent/contract/index.js';

describe('provisioning: broker lost during an apply (real MqttUplink)', function () {
  let broker: MosquittoBroker;
  let tmp: { dir: string; cleanup: () => void };
  let gw: Gateway<MqttUplink> | undefined;
  let op: OperatorProbe | undefined;

  before(async () => {
    tmp = tempDir('prov-outage-');
    broker = await new MosquittoBroker({ persistence: true }).start();
  });
  after(async () => {
    await op?.stop();
    await gw?.stop();
    await broker.dispose();
    tmp.cleanup();
  });

  it('rolls back when the broker is unreachable after the apply, and delivers the report once it is back', async () => {
    const fleet = makeFleet(tmp.dir);
    const dataDir = path.join(tmp.dir, 'gw-out');
    const raw = makeConfig(dataDir, broker.url, [fleet.pubFile], { applyTimeoutSeconds: 2 });
    const fileConfig = validated({ ...raw, mqtt: { url: broker.url, reconnectMinMs: 200, reconnectMaxMs: 1000 } });
    const uplink = new MqttUplink({ mqtt: fileConfig.mqtt, gatewayId: 'gw-out', statusPayload: () => ({}), logger: pino({ level: 'silent' }) });
    uplink.start();
    await waitFor(() => uplink.connected, { what: 'uplink connected' });
    gw = await startGateway({ id: 'gw-out', dataDir, fileConfig, uplink });
    op = await new OperatorProbe(broker.url, `${PREFIX}/gw-out`).start();

    let outages = 0;
    gw.host.onApply = async () => {
      if (outages++ === 0) await broker.stop(); // the new config "breaks" the uplink
    };
    const desired = { ...raw, mqtt: fileConfig.mqtt, cameras: [{ id: 'cam-1', source: { kind: 'test' } }, { id: 'cam-2', source: { kind: 'test' } }] };
    await op.mqtt.publishAsync(under(op.root, DESIRED_TOPIC), JSON.stringify(signDesiredConfig(fleet, { gateway: 'gw-out', version: 1, config: desired })), { qos: 1, retain: true });
    await waitFor(() => gw!.host.applied.length === 2, { timeoutMs: 30000, what: 'apply then rollback while the broker is down' });
    assert.deepEqual(gw.host.current.cameras.map((c) => c.id), ['cam-1']);
    assert.equal(gw.service.status().lastReport?.status, 'rolled_back');
    assert.match(gw.service.status().lastReport?.error?.message ?? '', /broker not reachable/);

    await broker.start();
    const report = await waitFor(() => op!.reports.find((r) => r.version === 1), { timeoutMs: 60000, what: 'the rolled_back report after the broker came back' });
    assert.equal(report.status, 'rolled_back');
    assert.equal(report.runningVersion, 0);
  });
});
