import assert from 'node:assert/strict';
import path from 'node:path';
import mqtt from 'mqtt';
import { generateFleetKeys, loadFleetKey } from '../../agent/provisioning/operator/fleet-keys.js';
import { signCommand, signDesiredConfig } from '../../agent/provisioning/operator/sign.js';
import { startCli, stopProcess } from '../support/agent-cli.js';
import { brokerSuite } from '../support/broker-suite.js';
import type { MqttCollector } from '../support/mqtt-collector.js';
import { StalledSubscriber } from '../support/stalled-subscriber.js';
import { waitFor } from '../support/wait.js';
import { writeAgentConfig } from './support.js';
import type { HealthMessage as Health } from '../../agent/contract/index.js';

describe('a running agent under a flood of bad provisioning messages and commands', function () {
  this.timeout(300000);
  const { tmp, broker, collect } = brokerSuite('agent-flood-');
  let health: MqttCollector;

  before(async () => {
    health = await collect('edge/gw-flood/health');
  });

  it('handles each of 1000 malformed, truncated, forged, stale, oversized and unsigned messages with a logged rejection, while a subscriber on its topics stalls, keeps its config and answers config/get', async () => {
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
    // A central-side client that subscribed to everything of this gateway and then hung (the ~30 MB flood piles up for it).
    const stalled = await new StalledSubscriber(broker.port, 'edge/gw-flood/#').start();
    let desiredSent = 0;
    let commandsSent = 0;
    try {
      await health.waitForMessage<Health>('/health', (h) => h.cameras.a?.state === 'streaming', 120000);
      const good = JSON.stringify(signDesiredConfig(fleet, { gateway: 'gw-flood', version: 5000, config: { mqtt: { url: broker.url } } }));
      // An authentic but invalid version 1 first: from then on the version-0 ones are stale and answered as such
      // (a repeat of the version already handled is silently ignored, as its retained copy comes back on every reconnect).
      await flooder.publishAsync('edge/gw-flood/config/desired', JSON.stringify(signDesiredConfig(fleet, { gateway: 'gw-flood', version: 1, config: { cameras: 'nope' } })), { qos: 1 });
      desiredSent++;
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
        if (topic.endsWith('/config/desired')) desiredSent += payload.length > 0 ? 1 : 0; // an empty one clears the retained copy: no answer
        else commandsSent++;
      }
      // Every message gets its clear, logged rejection: none is lost or stuck behind the stalled subscriber.
      const count = (text: string): number => agent.log.split(text).length - 1;
      const handled = (): string => `${count('desired config rejected')} of ${desiredSent} desired configs and ${count('command refused or failed')} of ${commandsSent} commands`;
      await waitFor(() => count('desired config rejected') === desiredSent && count('command refused or failed') === commandsSent, { timeoutMs: 120000, what: 'a rejection for each message' }).catch((err: Error) => {
        throw new Error(`${err.message}: ${handled()} rejected`);
      });

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
      stalled.stop();
      await flooder.endAsync();
      await stopProcess(agent);
    }
  });
});
