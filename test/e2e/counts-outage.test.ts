import assert from 'node:assert/strict';
import { isDeepStrictEqual } from 'node:util';
import type { LineCountReport } from '../../agent/core/object-event.js';
import { startCli, stopProcess } from '../support/agent-cli.js';
import { brokerSuite } from '../support/broker-suite.js';
import type { MqttCollector } from '../support/mqtt-collector.js';
import { waitFor } from '../support/wait.js';
import { fileCamera, writeAgentConfig } from './support.js';

/** Across the residential street of the clip (an MP4: it loops seamlessly, so frames never pause). */
const LINE = { name: 'across', from: [0, 0.6], to: [1, 0.6] };
const INTERVAL_S = 2;

describe('line counts survive a broker outage (real agent, real Mosquitto, real inference)', function () {
  this.timeout(600000);
  const { tmp, broker, collect } = brokerSuite('agent-counts-', { persistence: true });
  let counts: MqttCollector;
  let health: MqttCollector;

  before(async () => {
    // A persistent session: what the broker takes for it while it is reconnecting is kept for it.
    const session = { clean: false, properties: { sessionExpiryInterval: 3600 } };
    counts = await collect('edge/gw-counts/counts', { clientId: 'central-counts', ...session });
    health = await collect('edge/gw-counts/health', { clientId: 'central-health', ...session });
  });

  it('delivers every interval in order, contiguous across the outage, none counted twice; health has the zone occupancy', async () => {
    const config = writeAgentConfig(tmp.dir, 'gw-counts', broker.url, {
      health: { intervalSeconds: 5 },
      analytics: { countIntervalSeconds: INTERVAL_S },
      cameras: [
        fileCamera('street', 'ozlu_vehicle_survaillance.mp4', {
          record: { enabled: false },
          lines: [LINE],
          zones: [{ name: 'near', polygon: [[0, 0.5], [1, 0.5], [1, 1], [0, 1]] }],
        }),
      ],
    });
    const agent = startCli(['run', '--config', config]);
    const got = (): LineCountReport[] => counts.json<LineCountReport>('/counts');
    let outageStart = 0;
    let outageEnd = 0;
    try {
      await waitFor(() => got().length >= 3, { timeoutMs: 120000, what: 'three count intervals at the central side' });
      await health.waitForMessage<{ cameras: Record<string, { zoneOccupancy?: Record<string, Record<string, number>> }> }>('/health', (h) => h.cameras.street?.zoneOccupancy?.near !== undefined, 60000);

      await broker.stop();
      outageStart = Date.now();
      // The outage itself: the camera keeps running and the agent keeps counting into its outbox.
      await new Promise((r) => setTimeout(r, 12000));
      await broker.start();
      outageEnd = Date.now();
      await waitFor(() => got().some((c) => Date.parse(c.from) >= outageEnd), { timeoutMs: 180000, what: 'an interval after the outage' });
    } catch (err) {
      throw new Error(`${(err as Error).message}\nagent log (tail):\n${agent.log.slice(-4000)}`);
    } finally {
      await stopProcess(agent, 'SIGTERM');
    }

    const raw = got();
    const byId = new Map<string, LineCountReport>();
    for (const c of raw) {
      const seen = byId.get(c.id);
      // A QoS 1 re-send after a lost PUBACK may arrive again: the same id must then be the same report.
      if (seen) assert.ok(isDeepStrictEqual(seen, c), `re-sent ${c.id} differs`);
      else byId.set(c.id, c);
    }
    const series = [...byId.values()];
    for (const c of series) {
      assert.equal(c.camera, 'street');
      assert.equal(c.line, 'across');
      assert.equal(c.id, `street:across:${Date.parse(c.from)}`);
      assert.equal(Date.parse(c.to) - Date.parse(c.from), INTERVAL_S * 1000);
      for (const label of ['car', 'person']) assert.ok(c.counts[label], `${label} listed with zeros at least`);
    }
    for (let i = 1; i < series.length; i++) assert.equal(series[i].from, series[i - 1].to, `interval ${i} follows ${i - 1} (arrival order, no gap); outage ${new Date(outageStart).toISOString()}..${new Date(outageEnd).toISOString()}; series ${series.map((c) => c.from.slice(14, 19)).join(' ')}`);
    const during = series.filter((c) => Date.parse(c.from) >= outageStart && Date.parse(c.to) <= outageEnd);
    assert.ok(during.length >= 3, `intervals counted while the broker was down were delivered: ${during.length}`);
    const crossed = series.reduce((s, c) => s + Object.values(c.counts).reduce((t, v) => t + v.ab + v.ba, 0), 0);
    assert.ok(crossed > 0, 'vehicles were counted');
  });
});
