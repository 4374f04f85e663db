import assert from 'node:assert/strict';
import path from 'node:path';
import pino from 'pino';
import type { ConfigReport, HealthMessage } from '../../agent/contract/index.js';
import { signCommand, signDesiredConfig } from '../../agent/provisioning/operator/sign.js';
import { Agent } from '../../agent/runtime/agent.js';
import { MosquittoBroker } from '../support/mosquitto.js';
import { MqttCollector } from '../support/mqtt-collector.js';
import { tempDir } from '../support/tmp.js';
import { makeFleet, validated } from '../provisioning/support/fixture.js';
import { OperatorProbe } from '../provisioning/support/operator-probe.js';

/**
 * camera/enable and camera/disable are runtime state: `config/reported`, `config/get` and the status
 * keep describing exactly the config the central side pushed; the camera's state is in health.
 */
describe('camera/disable and camera/enable leave the pushed config and its hash alone (real agent, real broker)', function () {
  this.timeout(180000);
  const GW = 'gw-switch';
  const tmp = tempDir('agent-switch-');
  const broker = new MosquittoBroker();
  let fleet: ReturnType<typeof makeFleet>;
  let collector: MqttCollector;
  let op: OperatorProbe;
  let agent: Agent;
  let n = 0;

  const raw = (cameras: string[]): Record<string, unknown> => ({
    gateway: { id: GW, dataDir: path.join(tmp.dir, 'data') },
    mqtt: { url: broker.url },
    health: { intervalSeconds: 1 },
    detection: { enabled: false },
    cameras: cameras.map((id) => ({ id, source: { kind: 'test' } })),
    provisioning: { trustedKeys: [fleet.pubFile], applyTimeoutSeconds: 60 },
  });
  const command = async (name: string, camera: string): Promise<void> => {
    const id = `c${++n}`;
    const answer = await op.request(name, signCommand(fleet, { gateway: GW, command: name, args: { camera }, id }), id);
    assert.equal(answer.status, 'ok', JSON.stringify(answer));
  };
  const configGetHash = async (): Promise<string> => {
    const id = `g${++n}`;
    const answer = await op.request('config/get', { id }, id);
    return String(answer.data?.configHash);
  };
  const cameraState = (camera: string, state: string): Promise<HealthMessage> =>
    collector.waitForMessage<HealthMessage>('/health', (h) => h.cameras[camera]?.state === state, 90000, collector.messages.length);

  before(async () => {
    await broker.start();
    fleet = makeFleet(tmp.dir);
    collector = await new MqttCollector(broker.url, `edge/${GW}/#`).start();
    op = await new OperatorProbe(broker.url, `edge/${GW}`).start();
    agent = await Agent.start(validated(raw(['a'])), pino({ level: process.env.EDGE_TEST_LOG ?? 'silent' }));
  });
  after(async () => {
    await agent?.stop().catch(() => undefined);
    await op?.stop();
    await collector?.stop();
    await broker.dispose();
    tmp.cleanup();
  });

  it('reports, answers and shows the pushed config hash before and after a camera is switched off and on', async () => {
    const pushed = await op.desired(JSON.stringify(signDesiredConfig(fleet, { gateway: GW, version: 1, config: raw(['a', 'b']) })));
    assert.equal(pushed.status, 'applied', JSON.stringify(pushed));
    await cameraState('b', 'streaming');
    const hash = pushed.configHash;
    assert.equal(await configGetHash(), hash);

    await command('camera/disable', 'b');
    const health = await cameraState('b', 'disabled');
    assert.equal(health.cameras.a?.state, 'streaming', 'the other camera runs on');
    assert.equal(await configGetHash(), hash, 'config/get still answers the pushed config');
    assert.equal(agent.statusPayload().config?.configHash, hash, 'the status carries the pushed config hash');
    const refused: ConfigReport = await op.desired('not a signed config');
    assert.equal(refused.status, 'rejected');
    assert.equal(refused.runningVersion, 1);
    assert.equal(refused.configHash, hash, 'a later config/reported carries the pushed config hash');

    await command('camera/enable', 'b');
    await cameraState('b', 'streaming');
    assert.equal(await configGetHash(), hash);
  });

  it('a camera switched off runs again once the next config is applied (runtime state until the next push)', async () => {
    await command('camera/disable', 'a');
    await cameraState('a', 'disabled');
    const next = await op.desired(JSON.stringify(signDesiredConfig(fleet, { gateway: GW, version: 2, config: raw(['a']) })));
    assert.equal(next.status, 'applied', JSON.stringify(next));
    await cameraState('a', 'streaming');
    assert.equal(await configGetHash(), next.configHash);
  });
});
