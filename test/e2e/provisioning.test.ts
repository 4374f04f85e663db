import assert from 'node:assert/strict';
import path from 'node:path';
import { runCli, startCli, stopProcess } from '../support/agent-cli.js';
import { brokerSuite } from '../support/broker-suite.js';
import type { MqttCollector } from '../support/mqtt-collector.js';
import { freePort } from '../support/ports.js';
import { writeAgentConfig } from './support.js';
import type { ConfigReport as Reported, HealthMessage as Health } from '../../agent/contract/index.js';

describe('remote provisioning of a running agent (signed configs, rollback, restart)', function () {
  this.timeout(400000);
  const { tmp, broker, collect } = brokerSuite('agent-prov-', { persistence: true });
  let collector: MqttCollector;
  const keys = path.join(tmp.dir, 'keys');
  const testCam = (id: string, pattern: string): Record<string, unknown> => ({ id, source: { kind: 'test', pattern }, record: { enabled: false }, detect: { enabled: false } });
  const base = (cameras: Record<string, unknown>[]): Record<string, unknown> => ({
    health: { intervalSeconds: 2 },
    detection: { enabled: false },
    provisioning: { trustedKeys: [path.join(keys, 'fleet.pub')], applyTimeoutSeconds: 20 },
    cameras,
  });
  // Its own file: the config file the agent was started with must stay as it was (the restart below proves it is not used).
  const desiredFile = (name: string, cameras: Record<string, unknown>[]): string => writeAgentConfig(tmp.dir, 'gw-prov', broker.url, base(cameras), `${name}.json`);
  const push = (file: string, version: number): ReturnType<typeof runCli> =>
    runCli(['provision', 'push', '--broker', broker.url, '--gateway', 'gw-prov', '--key', path.join(keys, 'fleet.key'), '--config', file, '--version', String(version), '--timeout', '150']);
  const streaming = (h: Health | undefined, ids: string[]): boolean => ids.every((id) => h?.cameras[id]?.state === 'streaming');

  before(async () => {
    collector = await collect('edge/gw-prov/#');
    assert.equal(runCli(['keys', 'generate', '--out', keys]).status, 0);
  });

  it('applies a signed config that adds a camera, rolls back one whose camera never connects, and restarts on the last good one', async () => {
    const startConfig = writeAgentConfig(tmp.dir, 'gw-prov', broker.url, base([testCam('a', 'ball')]));
    let agent = startCli(['run', '--config', startConfig]);
    try {
      await collector.waitForMessage<Health>('/health', (h) => streaming(h, ['a']), 90000);

      const add = push(desiredFile('v1', [testCam('a', 'ball'), testCam('b', 'smpte')]), 1);
      assert.equal(add.status, 0, add.stdout + add.stderr);
      assert.match(add.stdout, /applied/);
      await collector.waitForMessage<Health>('/health', (h) => streaming(h, ['a', 'b']), 60000);

      const deadPort = await freePort();
      const bad = push(desiredFile('v2', [testCam('a', 'ball'), testCam('b', 'smpte'), { id: 'dead', source: { kind: 'rtsp', url: `rtsp://127.0.0.1:${deadPort}/nothing` }, record: { enabled: false } }]), 2);
      assert.notEqual(bad.status, 0, 'push exits non-zero unless applied');
      assert.match(bad.stdout + bad.stderr, /rolled_back/);
      const reported = await collector.waitForMessage<Reported>('/config/reported', (r) => r.version === 2);
      assert.equal(reported.status, 'rolled_back');
      assert.match(JSON.stringify(reported.error), /dead/);
      // The rollback is done before the report goes out: only health published after the report counts
      // (one from before the push shows a and b streaming without the dead camera too).
      const afterReport = collector.messages.length;
      await collector.waitForMessage<Health>('/health', (h) => streaming(h, ['a', 'b']) && !h.cameras.dead, 60000, afterReport);

      const got = runCli(['request', '--broker', broker.url, '--gateway', 'gw-prov', 'config/get', '{}', '--timeout', '60']);
      assert.equal(got.status, 0, got.stdout + got.stderr);
      assert.deepEqual((JSON.parse(got.stdout) as { data: { config: { cameras: Array<{ id: string }> } } }).data.config.cameras.map((c) => c.id), ['a', 'b']);

      // A restart comes up on the last good config (v1), not on the file it was started with.
      assert.equal(await stopProcess(agent), 0);
      const before = collector.messages.length;
      agent = startCli(['run', '--config', startConfig]);
      await collector.waitForMessage<Health>('/health', (h) => streaming(h, ['a', 'b']), 90000, before);
    } finally {
      await stopProcess(agent);
    }
  });
});
