import assert from 'node:assert/strict';
import { startCli, stopProcess } from '../support/agent-cli.js';
import { brokerSuite } from '../support/broker-suite.js';
import type { MqttCollector } from '../support/mqtt-collector.js';
import { waitFor } from '../support/wait.js';
import type { EventMessage } from '../../agent/contract/index.js';
import { fileCamera, writeAgentConfig } from './support.js';

const time = (v: number | string): number => (typeof v === 'number' ? v : Date.parse(v));

describe('the agent detects cars and people in real street footage (real inference, real broker)', function () {
  this.timeout(300000);
  const { tmp, broker, collect } = brokerSuite('agent-detect-');
  let collector: MqttCollector;
  let health: MqttCollector;

  before(async () => {
    collector = await collect('edge/gw-detect/events');
    health = await collect('edge/gw-detect/health');
  });

  it('publishes car events for the residential street and person events for the plaza, each complete and in order', async () => {
    const config = writeAgentConfig(tmp.dir, 'gw-detect', broker.url, {
      health: { intervalSeconds: 5 },
      cameras: [
        fileCamera('street', 'ozlu_vehicle_survaillance.mp4', { record: { enabled: false } }),
        fileCamera('plaza', 'ozlu_pedestrian_survaillance.mp4', { record: { enabled: false } }),
      ],
    });
    const events = (): EventMessage[] => collector.json<EventMessage>('/events');
    const agent = startCli(['run', '--config', config]);
    try {
      await waitFor(() => events().some((e) => e.camera === 'street' && e.label === 'car') && events().some((e) => e.camera === 'plaza' && e.label === 'person'), {
        timeoutMs: 200000,
        what: `car events on street and person events on plaza (so far: ${JSON.stringify(events().map((e) => `${e.camera}:${e.label}:${e.type}`).slice(0, 20))})`,
      });
      // Let a few tracks end too.
      await waitFor(() => events().some((e) => e.type === 'end'), { timeoutMs: 120000, what: 'an end event' });
      // Health carries each camera's processed frame rate (detectFps, the one processed-rate figure).
      await health.waitForMessage<{ cameras: Record<string, { detectFps?: number }> }>('/health', (h) => ['street', 'plaza'].every((id) => (h.cameras[id]?.detectFps ?? 0) > 0), 60000);
    } finally {
      await stopProcess(agent, 'SIGTERM');
    }
    // A clean stop ends every open track; those end events are queued in the outbox (detection stops
    // before it), so what is not out by the stop is delivered by the next run on the same data dir.
    // That run has detection off, so it starts no track of its own.
    const started = (): string[] => [...new Set(events().filter((e) => e.type === 'start').map((e) => e.objectId))];
    const ended = (): Set<string> => new Set(events().filter((e) => e.type === 'end').map((e) => e.objectId));
    const quiet = writeAgentConfig(tmp.dir, 'gw-detect', broker.url, {
      detection: { enabled: false },
      cameras: [
        fileCamera('street', 'ozlu_vehicle_survaillance.mp4', { record: { enabled: false } }),
        fileCamera('plaza', 'ozlu_pedestrian_survaillance.mp4', { record: { enabled: false } }),
      ],
    }, 'gw-detect-quiet.json');
    const next = startCli(['run', '--config', quiet]);
    try {
      await waitFor(() => started().every((id) => ended().has(id)), { timeoutMs: 120000, what: 'an end for every started track' }).catch((err: Error) => {
        throw new Error(`${err.message}; still open: ${started().filter((id) => !ended().has(id)).join(', ')}`);
      });
    } finally {
      await stopProcess(next, 'SIGTERM');
    }

    const all = events();
    for (const e of all) {
      assert.equal(typeof e.id, 'string');
      assert.ok(Number.isInteger(e.seq), 'seq');
      assert.ok(['start', 'update', 'end'].includes(e.type));
      assert.ok(['street', 'plaza'].includes(e.camera));
      assert.ok(['person', 'bicycle', 'motorcycle', 'car', 'bus', 'truck'].includes(e.label), `tracked label: ${e.label}`);
      assert.ok(e.score > 0 && e.score <= 1 && e.topScore >= e.score - 1e-9);
      assert.equal(e.box.length, 4);
      assert.ok(e.box.every((v) => v >= 0 && v <= 1) && e.box[0] < e.box[2] && e.box[1] < e.box[3], `box in 0..1: ${e.box}`);
      assert.ok(Array.isArray(e.zones));
      assert.ok(!Number.isNaN(time(e.startTs)) && !Number.isNaN(time(e.ts)));
      if (e.type === 'end') assert.ok(e.endTs !== undefined && time(e.endTs) >= time(e.startTs), 'end after start');
    }
    // seq grows by one per message on the topic.
    const seqs = all.map((e) => e.seq);
    assert.deepEqual(seqs, seqs.map((_, i) => seqs[0] + i));
    // Every track starts, then ends exactly once, last.
    const byObject = new Map<string, EventMessage[]>();
    for (const e of all) byObject.set(e.objectId, [...(byObject.get(e.objectId) ?? []), e]);
    for (const [objectId, evs] of byObject) {
      assert.equal(evs[0].type, 'start', `${objectId} begins with start`);
      assert.deepEqual(evs.map((e) => e.type).filter((t) => t !== 'update'), ['start', 'end'], `${objectId}: one start, one end`);
      assert.equal(evs.at(-1)?.type, 'end', `${objectId}: nothing after its end`);
    }
  });
});
