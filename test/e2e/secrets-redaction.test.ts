import assert from 'node:assert/strict';
import path from 'node:path';
import { runCli, startCli, stopProcess } from '../support/agent-cli.js';
import { brokerSuite } from '../support/broker-suite.js';
import { MqttCollector } from '../support/mqtt-collector.js';
import { freePort } from '../support/ports.js';
import { RtspTestServer } from '../support/rtsp.js';
import { VIDEOS_DIR } from '../support/tmp.js';
import { writeAgentConfig } from './support.js';
import type { HealthMessage as Health } from '../../agent/contract/index.js';

describe('credentials inside URLs never come back (config/get, /api/status, logs)', function () {
  this.timeout(300000);
  const { tmp, broker } = brokerSuite('agent-secrets-');

  it('an RTSP URL with a hand-written password holding "/", "@" and ":" streams, and neither it nor the mqtts-style broker password is shown', async () => {
    const camPassword = 'S3cr/et@pw:42';
    const camera = await new RtspTestServer({ file: path.join(VIDEOS_DIR, 'intel_car-detection.mp4'), user: 'viewer', password: camPassword }).start();
    const statusPort = await freePort();
    // The broker accepts anyone; the agent still sends these credentials (percent-encoded, as a URL must).
    const brokerWithCreds = broker.url.replace('mqtt://', 'mqtt://gw:M9tt%2Fpw%40x@');
    const config = writeAgentConfig(tmp.dir, 'gw-sec', brokerWithCreds, {
      health: { intervalSeconds: 2 },
      detection: { enabled: false },
      statusPage: { enabled: true, host: '127.0.0.1', port: statusPort, password: 'page-pass-1' },
      cameras: [{ id: 'gate', source: { kind: 'rtsp', url: camera.url.replace('rtsp://', `rtsp://viewer:${camPassword}@`) }, record: { enabled: false } }],
    });
    const collector = await new MqttCollector(broker.url, 'edge/gw-sec/#').start();
    const agent = startCli(['run', '--config', config]);
    try {
      await collector.waitForMessage<Health>('/health', (h) => h.cameras.gate?.state === 'streaming', 120000).catch((err: Error) => {
        throw new Error(`${err.message}\nagent log:\n${agent.log.slice(-3000)}`);
      });
      const got = runCli(['request', '--broker', broker.url, '--gateway', 'gw-sec', 'config/get', '{}', '--timeout', '60']);
      assert.equal(got.status, 0, got.stdout + got.stderr);
      const status = await (await fetch(`http://127.0.0.1:${statusPort}/api/status`, { headers: { Authorization: 'Bearer page-pass-1' } })).text();
      const shown: Array<[string, string]> = [['config/get', got.stdout], ['/api/status', status], ['the agent log', agent.log], ['MQTT messages', collector.messages.map((m) => m.payload.toString()).join('\n')]];
      for (const [where, text] of shown) {
        for (const secret of ['S3cr', 'et@pw', 'M9tt', '%2Fpw']) assert.ok(!text.includes(secret), `${where} shows ${secret}`);
      }
      assert.match(got.stdout, /rtsp:\/\/\[redacted\]@127\.0\.0\.1:\d+\/cam/);
      assert.match(status, /mqtt:\/\/\[redacted\]@127\.0\.0\.1/);
    } finally {
      await stopProcess(agent);
      await collector.stop();
      await camera.stop();
    }
  });
});
