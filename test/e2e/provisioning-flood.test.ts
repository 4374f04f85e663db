import assert from 'node:assert/strict';
import path from 'node:path';
import mqtt from 'mqtt';
import { generateFleetKeys, loadFleetKey } from '../../agent/provisioning/operator/fleet-keys.js';
import { signCommand, signDesiredConfig } from '../../agent/provisioning/operator/sign.js';
import { startCli, stopProcess } from '../support/agent-cli.js';
import { MosquittoBroker } from '../support/mosquitto.js';
import { MqttCollector } from '../support/mqtt-collector.js';
import { tempDir } from '../support/tmp.js';
import { waitFor } from '../support/wait.js';
import { writeAgentConfig } from './support.js';

interface Health { cameras: Record<string, { state: string }> }

describe('a running agent under a flood of bad provisioning messages and commands', function () {
  this.timeout(300000);
  const tmp = tempDir('agent-flood-');
  const broker = new MosquittoBroker();
  let health: MqttCollector;

  before(async () => {
    await broker.start();
    health = await new MqttCollector(broker.url, 'edge/gw-flood/health').start();
  });
  after(async () => {
    await health.stop();
    await broker.dispose();
    tmp.cleanup();
  });

  it('handles 1000 malformed, truncated, forged, stale, oversized and unsigned messages, keeps its config and answers config/get', async () => {
    const fleetFiles = generateFleetKeys(path.join(tmp.dir, 'fleet'));
    const fleet = loadFleetKey(fleetFiles.keyFile);
    const rogue = loadFleetKey(generateFleetKeys(path.join(tmp.dir, 'rogue')).keyFile);
    const config = writeAgentConfig(tmp.dir, 'gw-flood', broker.url, {
      health: { intervalSeconds: 2 },
      detection: { enabled: false },
      provisioning: { trustedKeys: [fleetFiles.pubFile] },
      cameras: [{ id: 'a', source: { kind: 'test' }, record: { enabled: false } }],
    });
    const agent = startCli(['run', '--config', config]);
    const flooder = await mqtt.connectAsync(broker.url, { protocolVersion: 5, clientId: 'flooder' });
    try {
      await health.waitForMessage<Health>('/health', (h) => h.cameras.a?.state === 'streaming', 120000);
      const good = JSON.stringify(signDesiredConfig(fleet, { gateway: 'gw-flood', version: 5000, config: { mqtt: { url: broker.url } } }));
      for (let i = 0; i < 1000; i++) {
        let topic = 'edge/gw-flood/config/desired';
        let payload: string | Buffer;
        switch (i % 10) {
          case 0: payload = Buffer.from(Array.from({ length: (i * 37) % 400 }, (_, k) => (k * 131 + i) & 255)); break;
          case 1: payload = good.slice(0, (i * 13) % good.length); break; // truncated
          case 2: payload = JSON.stringify(signDesiredConfig(rogue, { gateway: 'gw-flood', version: 100 + i, config: {} })); break; // forged
          case 3: payload = JSON.stringify(signDesiredConfig(fleet, { gateway: 'gw-flood', version: 0, config: {} })); break; // stale
          case 4: payload = JSON.stringify(signDesiredConfig(fleet, { gateway: 'gw-other', version: 200 + i, config: {} })); break; // not ours
          case 5: payload = JSON.stringify(signDesiredConfig(fleet, { gateway: 'gw-flood', version: 300 + i, config: { cameras: 'nope' } })); break; // schema
          case 6: payload = 'x'.repeat(300000); break; // oversized
          case 7: topic = 'edge/gw-flood/request/camera/disable'; payload = JSON.stringify({ id: `u${i}`, args: { camera: 'a' } }); break; // unsigned
          case 8: topic = 'edge/gw-flood/request/camera/disable'; payload = JSON.stringify(signCommand(rogue, { gateway: 'gw-flood', command: 'camera/disable', args: { camera: 'a' }, id: `r${i}` })); break;
          default: topic = `edge/gw-flood/request/${['config/get', 'nope', 'clip', 'restart'][i % 4]}`; payload = `{"id": ${i}, "args": [`;
        }
        await flooder.publishAsync(topic, payload, { qos: 1 });
      }

      const request = startCli(['request', '--broker', broker.url, '--gateway', 'gw-flood', 'config/get', '{}', '--timeout', '120']);
      await waitFor(() => request.exitCode !== null, { timeoutMs: 150000, what: 'the config/get answer' });
      assert.equal(request.exitCode, 0, request.log);
      const answer = JSON.parse(request.log.slice(request.log.indexOf('{'))) as { status: string; data: { config: { cameras: Array<{ id: string; enabled: boolean }> } } };
      assert.equal(answer.status, 'ok');
      assert.deepEqual(answer.data.config.cameras.map((c) => [c.id, c.enabled]), [['a', true]], 'same config, the camera still enabled');
      const since = health.messages.length;
      await waitFor(() => health.json<Health>('/health').slice(since).some((h) => h.cameras.a?.state === 'streaming'), { timeoutMs: 60000, what: 'still streaming' });
      assert.equal(agent.exitCode, null, 'the agent is still running');
    } finally {
      await flooder.endAsync();
      await stopProcess(agent);
    }
  });
});
