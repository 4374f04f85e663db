import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { startCli, stopProcess } from '../support/agent-cli.js';
import { brokerSuite } from '../support/broker-suite.js';
import { MqttCollector } from '../support/mqtt-collector.js';
import { VIDEOS_DIR } from '../support/tmp.js';
import { waitFor } from '../support/wait.js';
import type { HealthMessage as Health } from '../../agent/contract/index.js';

interface Status { state: string; version: string; ts: string; publicKey?: string; reason?: string }

describe('the agent as a process against a real Mosquitto', function () {
  this.timeout(180000);
  const { tmp, broker, collect } = brokerSuite('agent-e2e-');
  let collector: MqttCollector;
  let configFile: string;

  /**
   * The first offline status published after message index `since` (a clean stop says reason
   * "stopped"; the broker's will says "connection lost").
   */
  const offlineSince = (since: number, what: string): Promise<Status> =>
    waitFor(() => collector.json<Status>('gw-e2e/status', since).find((s) => s.state === 'offline'), { timeoutMs: 60000, what });

  before(async () => {
    collector = await collect('edge/gw-e2e/#');
    configFile = path.join(tmp.dir, 'config.json');
    writeFileSync(configFile, JSON.stringify({
      gateway: { id: 'gw-e2e', dataDir: path.join(tmp.dir, 'data') },
      mqtt: { url: broker.url, topicPrefix: 'edge' },
      health: { intervalSeconds: 2 },
      detection: { enabled: false },
      cameras: [
        { id: 'street', source: { kind: 'file', path: path.join(VIDEOS_DIR, 'ozlu_vehicle_survaillance.mp4'), loop: true }, record: { enabled: false } },
        { id: 'pattern', source: { kind: 'test', pattern: 'ball' }, record: { enabled: false } },
      ],
    }));
  });

  it('publishes a retained online status, health with every camera streaming, and offline on a clean stop', async () => {
    const since = collector.messages.length;
    const agent = startCli(['run', '--config', configFile]);
    try {
      const online = await collector.waitForMessage<Status>('gw-e2e/status', (s) => s.state === 'online');
      assert.match(online.version, /^\d+\.\d+\.\d+/);
      assert.ok(!Number.isNaN(Date.parse(online.ts)));
      assert.match(online.publicKey ?? '', /BEGIN PUBLIC KEY/);

      const health = await collector.waitForMessage<Health>('gw-e2e/health', (h) =>
        ['street', 'pattern'].every((id) => h.cameras[id]?.state === 'streaming' && h.cameras[id].fpsIn > 0), 90000);
      for (const id of ['street', 'pattern']) {
        const cam = health.cameras[id];
        for (const key of ['fpsIn', 'dropped', 'reconnects'] as const) assert.equal(typeof cam[key], 'number', `${id}.${key}`);
        assert.ok(cam.lastFrameAgeMs !== null && cam.lastFrameAgeMs < 5000, `${id} frames are fresh`);
      }
      assert.ok(health.system.memTotalMB > 0);
      assert.ok(health.uptimeS >= 0);
    } finally {
      assert.equal(await stopProcess(agent, 'SIGTERM'), 0, agent.log);
    }
    const offline = await offlineSince(since, 'offline status after a clean stop');
    assert.equal(offline.reason, 'stopped', 'the agent\'s own offline status, not the will');
  });

  it('stops cleanly (exit 0, offline status) when told to stop while it is still starting', async () => {
    // With detection on, the start connects the uplink and then loads the detector (seconds): stop in between.
    const since = collector.messages.length;
    const slowStart = path.join(tmp.dir, 'slow-start.json');
    writeFileSync(slowStart, JSON.stringify({ ...JSON.parse(readFileSync(configFile, 'utf8')), detection: { enabled: true } }));
    const agent = startCli(['run', '--config', slowStart]);
    try {
      await waitFor(() => agent.log.includes('MQTT connected'), { timeoutMs: 60000, what: `the uplink up during the start: ${agent.log}` });
      assert.ok(!agent.log.includes('agent started'), 'the stop comes before the start has finished');
      assert.equal(await stopProcess(agent, 'SIGTERM'), 0, agent.log);
    } finally {
      await stopProcess(agent, 'SIGKILL');
    }
    assert.match(agent.log, /"signal":"SIGTERM".*"msg":"stopping"/);
    const offline = await offlineSince(since, 'offline status after a stop during start');
    assert.equal(offline.reason, 'stopped', 'the agent\'s own offline status, not the will');
  });

  it('leaves the will (offline) behind when killed', async () => {
    const since = collector.messages.length;
    const agent = startCli(['run', '--config', configFile]);
    await collector.waitForMessage<Status>('gw-e2e/status', (s) => s.state === 'online', 60000, since);
    await stopProcess(agent, 'SIGKILL');
    // Mosquitto sends the will once it notices the dead connection (at once: the socket closes).
    const will = await offlineSince(since, 'the will');
    assert.equal(will.reason, 'connection lost', 'the broker\'s will, not a clean stop');

    const late = await new MqttCollector(broker.url, 'edge/gw-e2e/status').start();
    try {
      const retained = await late.waitForMessage<Status>('gw-e2e/status');
      assert.equal(retained.state, 'offline', 'the retained status says offline');
      assert.equal(retained.reason, 'connection lost', 'the retained status is the will');
    } finally {
      await late.stop();
    }
  });
});
