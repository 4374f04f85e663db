import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { startCli, stopProcess } from '../support/agent-cli.js';
import { VIDEOS_DIR } from '../support/tmp.js';
import { waitFor } from '../support/wait.js';
import { useGatewayOnBroker } from './support/gateway-fixture.js';

/** kill -9 in the middle of a stream: what was acknowledged is on disk, the rest comes again, nothing twice. */
describe('edge-agent receive killed with SIGKILL mid-stream', function () {
  this.timeout(300000);
  const fixture = useGatewayOnBroker('edge', 'gw-crash', { persistence: true });

  it('ends with every event exactly once and the clip verified', async () => {
    const out = path.join(fixture.tmp.dir, 'out');
    const args = ['receive', '--broker', fixture.broker.url, '--out', out, '--client-id', 'crash-central'];
    const first = startCli(args);
    await waitFor(() => first.log.includes('connected to'), { what: `receiver up: ${first.log}`, timeoutMs: 60000 });
    const clip = readFileSync(path.join(VIDEOS_DIR, 'intel_car-detection.mp4'));
    const publishing = (async () => {
      for (let seq = 1; seq <= 40; seq++) {
        await fixture.gw.publishEvent({ id: `c${seq}`, seq, type: 'start', camera: 'cam1' });
        if (seq === 20) await fixture.gw.publishClip(clip, { clipId: 'crash-clip' });
        await new Promise((r) => setTimeout(r, 25)); // paced like a gateway, so the kill lands mid-stream
      }
    })();
    await waitFor(() => first.log.includes('seq=5 '), { what: `some events in: ${first.log}` });
    first.kill('SIGKILL');
    await publishing;

    const second = startCli(args);
    const clipFile = path.join(out, 'clips', 'gw-crash', 'crash-clip.mp4');
    const eventsFile = path.join(out, 'events.jsonl');
    try {
      await waitFor(() => second.log.includes('connected to'), { what: `second receiver up: ${second.log}`, timeoutMs: 60000 });
      // The outcome on disk, not log lines: the first run's last lines may die with it in its stdout pipe.
      await waitFor(() => existsSync(path.join(out, 'clips', 'gw-crash', 'crash-clip.meta.json')), { timeoutMs: 120000, what: `the verified clip after the restart: ${second.log}` });
      await waitFor(() => existsSync(eventsFile) && readFileSync(eventsFile, 'utf8').includes('"id":"c40"'), { timeoutMs: 120000, what: 'the last event' });
    } finally {
      assert.equal(await stopProcess(second), 0, second.log);
    }
    assert.ok(!existsSync(path.join(out, 'clips', 'gw-crash', 'crash-clip.rejected.json')), 'the clip was not rejected');
    const ids = readFileSync(path.join(out, 'events.jsonl'), 'utf8').trim().split('\n').map((l) => (JSON.parse(l) as { event: { id: string } }).event.id);
    assert.equal(ids.length, 40, `40 lines, got ${ids.length}`);
    assert.equal(new Set(ids).size, 40, 'no event twice');
    assert.ok(readFileSync(clipFile).equals(clip), 'the clip is byte for byte what the gateway sent');
  });
});
