import assert from 'node:assert/strict';
import pino from 'pino';
import type { AgentConfig } from '../../agent/config/schema/index.js';
import { validateConfig } from '../../agent/config/validate.js';
import { Agent } from '../../agent/runtime/agent.js';
import { MosquittoBroker } from '../support/mosquitto.js';
import { MqttCollector } from '../support/mqtt-collector.js';
import { tempDir } from '../support/tmp.js';
import { waitFor } from '../support/wait.js';

const START_ORDER = ['logging', 'uplink', 'outbox', 'clips', 'detection', 'cameras', 'scheduler', 'provisioning', 'statusPage'];

describe('the running agent applies a config live or restarts in-process (real broker, real detector)', function () {
  this.timeout(180000);
  const tmp = tempDir('agent-apply-');
  const broker = new MosquittoBroker();
  const logs: Array<Record<string, unknown>> = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => void logs.push(JSON.parse(line) as Record<string, unknown>) });
  let collector: MqttCollector;
  let agent: Agent;

  const config = (over: Record<string, unknown> = {}): AgentConfig => {
    const r = validateConfig({ gateway: { id: 'gw-apply', dataDir: tmp.dir }, mqtt: { url: broker.url }, health: { intervalSeconds: 1 }, ...over });
    if (!r.ok) throw new Error(JSON.stringify(r.problems));
    return r.config;
  };
  const steps = (what: 'started' | 'stopped', from: number): unknown[] => logs.slice(from).filter((l) => l.msg === `subsystem ${what}`).map((l) => l.subsystem);
  const healthCount = (): number => collector.json('/health').length;

  before(async () => {
    await broker.start();
    collector = await new MqttCollector(broker.url, 'edge/gw-apply/#').start();
    agent = await Agent.start(config(), logger);
  });

  after(async () => {
    await agent?.stop().catch(() => undefined);
    await collector?.stop();
    await broker.stop();
    tmp.cleanup();
  });

  it('starts its subsystems in the documented order', async () => {
    assert.deepEqual(steps('started', 0), START_ORDER);
    await waitFor(() => healthCount() > 0, { what: 'a first health message' });
  });

  it('takes live settings without stopping anything', async () => {
    const mark = logs.length;
    await agent.applyConfig(config({ health: { intervalSeconds: 2 }, detection: { minScore: 0.5 }, recording: { retentionHours: 2 } }));
    assert.deepEqual(steps('stopped', mark), []);
    assert.ok(!logs.slice(mark).some((l) => l.msg === 'restarting in-process to apply the new config'));
    await agent.applyConfig(config({ logging: { level: 'warn' } }));
    assert.equal(logger.isLevelEnabled('info'), false, 'logging.level applied live');
    await agent.applyConfig(config());
    assert.equal(logger.isLevelEnabled('info'), true);
    assert.deepEqual(steps('stopped', mark), []);
  });

  it('restarts in-process from the outbox for an outbox setting: uplink and provisioning stay up, health keeps coming', async () => {
    const mark = logs.length;
    const statusBefore = collector.json('/status').length;
    await agent.applyConfig(config({ outbox: { inflight: 4 } }));
    assert.equal(logs.slice(mark).find((l) => l.msg === 'restarting in-process to apply the new config')?.from, 'outbox');
    assert.deepEqual(steps('stopped', mark), ['statusPage', 'scheduler', 'cameras', 'detection', 'clips', 'outbox']);
    assert.deepEqual(steps('started', mark), ['outbox', 'clips', 'detection', 'cameras', 'scheduler', 'statusPage']);
    assert.deepEqual(collector.json<{ state: string }>('/status').slice(statusBefore).filter((s) => s.state === 'offline'), [], 'the broker connection stayed up');
    const seen = healthCount();
    await waitFor(() => healthCount() > seen, { what: 'health from the restarted outbox and scheduler' });
  });

  it('restarts in-process from detection for the detector threads, leaving the outbox open', async () => {
    const mark = logs.length;
    await agent.applyConfig(config({ outbox: { inflight: 4 }, detection: { threads: 1 } }));
    assert.deepEqual(steps('stopped', mark), ['statusPage', 'scheduler', 'cameras', 'detection']);
    assert.deepEqual(steps('started', mark), ['detection', 'cameras', 'scheduler', 'statusPage']);
    assert.ok(logs.slice(mark).some((l) => l.msg === 'detector loaded' && l.threads === 1), 'the detector reloaded with 1 thread');
  });

  it('stops in exactly the reverse order, leaving offline behind', async () => {
    const mark = logs.length;
    await agent.stop();
    assert.deepEqual(steps('stopped', mark), [...START_ORDER].reverse());
    await collector.waitForMessage<{ state: string; reason?: string }>('/status', (s) => s.state === 'offline' && s.reason === 'stopped');
  });
});
