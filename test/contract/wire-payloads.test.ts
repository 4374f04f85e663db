import assert from 'node:assert/strict';
import path from 'node:path';
import type { TSchema } from '@sinclair/typebox';
import {
  CommandResponseSchema, ConfigReportSchema, EventMessageSchema, FileMetaMessageSchema, HealthMessageSchema, SelftestMessageSchema, StatusMessageSchema, wireValidator,
  type WireValidator,
} from '../../agent/contract/index.js';
import { runCli, startCli, stopProcess } from '../support/agent-cli.js';
import { MosquittoBroker } from '../support/mosquitto.js';
import { MqttCollector, type Collected } from '../support/mqtt-collector.js';
import { tempDir } from '../support/tmp.js';
import { waitFor } from '../support/wait.js';
import { fileCamera, writeAgentConfig } from '../e2e/support.js';

const GW = 'gw-wire';
const ROOT = `edge/${GW}/`;

/** Which schema a topic's payload must match (binary chunks have none). */
const KINDS: Array<{ kind: string; match: RegExp; validate: WireValidator<TSchema> }> = [
  { kind: 'status', match: /^status$/, validate: wireValidator(StatusMessageSchema) },
  { kind: 'events', match: /^events$/, validate: wireValidator(EventMessageSchema) },
  { kind: 'health', match: /^health$/, validate: wireValidator(HealthMessageSchema) },
  { kind: 'selftest', match: /^selftest$/, validate: wireValidator(SelftestMessageSchema) },
  { kind: 'clip meta', match: /^clips\/[^/]+\/meta$/, validate: wireValidator(FileMetaMessageSchema) },
  { kind: 'config/reported', match: /^config\/reported$/, validate: wireValidator(ConfigReportSchema) },
  { kind: 'response', match: /^response\//, validate: wireValidator(CommandResponseSchema) },
];

/**
 * The schemas match the code: a real agent (real camera file, real detection, real outbox and uplink)
 * publishes to a real Mosquitto, an operator pushes a config and asks a command with the real CLI, the
 * agent is killed (the will) and stopped cleanly, and every JSON payload that came out is validated
 * against agent/contract/.
 */
describe('every payload a running agent publishes matches the wire contract (real agent, real broker)', function () {
  this.timeout(400000);
  const tmp = tempDir('agent-wire-');
  const broker = new MosquittoBroker();
  const keys = path.join(tmp.dir, 'keys');
  // JSON topics only: a subscriber flooded with clip chunks may have QoS 1 messages dropped by the broker's queue limit.
  let collectors: MqttCollector[] = [];
  const received = (): Collected[] => collectors.flatMap((c) => c.messages);

  before(async () => {
    await broker.start();
    collectors = await Promise.all(['+', 'clips/+/meta', 'config/reported', 'response/#'].map((f) => new MqttCollector(broker.url, `${ROOT}${f}`).start()));
    assert.equal(runCli(['keys', 'generate', '--out', keys]).status, 0);
  });
  after(async () => {
    for (const c of collectors) await c.stop();
    await broker.dispose();
    tmp.cleanup();
  });

  it('status (online, will, stopped), health, selftest, events, clip meta, config/reported and a command response all validate', async () => {
    const settings = (healthSeconds: number): Record<string, unknown> => ({
      health: { intervalSeconds: healthSeconds },
      recording: { segmentSeconds: 2 },
      clips: { preSeconds: 1, postSeconds: 1 },
      schedules: { retention: '*/5 * * * *', compaction: '17 3 * * *', selfTest: '*/15 * * * * *' },
      provisioning: { trustedKeys: [path.join(keys, 'fleet.pub')], applyTimeoutSeconds: 60 },
      cameras: [fileCamera('street', 'ozlu_vehicle_survaillance.mp4')],
    });
    const configFile = writeAgentConfig(tmp.dir, GW, broker.url, settings(2));
    let agent = startCli(['run', '--config', configFile]);
    const seen = (kind: string): number => received().filter((m) => KINDS.find((k) => k.match.test(m.topic.slice(ROOT.length)))?.kind === kind).length;
    const statuses = (): Array<{ state: string; reason?: string }> => received().filter((m) => m.topic === `${ROOT}status`).map((m) => JSON.parse(m.payload.toString()) as { state: string; reason?: string });
    try {
      await waitFor(() => seen('events') > 0 && seen('clip meta') > 0 && seen('health') > 0 && seen('selftest') > 0, { timeoutMs: 240000, what: `an event, a clip meta, a health report and a self-test: ${agent.log.slice(-2000)}` });
      const answer = runCli(['request', '--broker', broker.url, '--gateway', GW, 'config/get', '{}', '--timeout', '90']);
      assert.equal(answer.status, 0, answer.stdout + answer.stderr);
      const desired = writeAgentConfig(tmp.dir, GW, broker.url, settings(3), 'desired.json');
      const push = runCli(['provision', 'push', '--broker', broker.url, '--gateway', GW, '--key', path.join(keys, 'fleet.key'), '--config', desired, '--version', '1', '--timeout', '150']);
      assert.match(push.stdout, /applied/, push.stdout + push.stderr);
      // The will: killed without a DISCONNECT, the broker publishes the gateway's offline status.
      await stopProcess(agent, 'SIGKILL');
      await waitFor(() => statuses().some((s) => s.reason === 'connection lost'), { what: 'the will' });
      // Back up (on the pushed config), then a clean stop publishes its own offline status.
      const onlineBefore = statuses().filter((s) => s.state === 'online').length;
      agent = startCli(['run', '--config', configFile]);
      await waitFor(() => statuses().filter((s) => s.state === 'online').length > onlineBefore, { timeoutMs: 120000, what: `online again: ${agent.log.slice(-2000)}` });
    } finally {
      const code = await stopProcess(agent);
      if (agent.signalCode !== 'SIGKILL') assert.equal(code, 0, agent.log.slice(-2000));
    }
    await waitFor(() => statuses().some((s) => s.reason === 'stopped'), { what: 'the offline status of a clean stop' });

    const problems: string[] = [];
    const counts: Record<string, number> = {};
    for (const m of received()) {
      const topic = m.topic.slice(ROOT.length);
      const k = KINDS.find((x) => x.match.test(topic));
      if (!k || m.payload.length === 0) continue;
      counts[k.kind] = (counts[k.kind] ?? 0) + 1;
      if (!k.validate(JSON.parse(m.payload.toString('utf8')))) problems.push(`${topic}: ${k.validate.problem()}`);
    }
    assert.deepEqual(problems, [], 'every payload validates');
    for (const k of KINDS) assert.ok((counts[k.kind] ?? 0) > 0, `at least one ${k.kind} payload was checked: ${JSON.stringify(counts)}`);
    assert.deepEqual([...new Set(statuses().map((s) => s.reason ?? s.state))].sort(), ['connection lost', 'online', 'stopped'], 'online, will and stopped status all checked');
  });
});
