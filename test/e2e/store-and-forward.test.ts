import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Receiver } from '../../agent/receiver/receiver.js';
import { startCli, stopProcess } from '../support/agent-cli.js';
import { MosquittoBroker } from '../support/mosquitto.js';
import { tempDir } from '../support/tmp.js';
import { waitFor } from '../support/wait.js';
import type { EventMessage } from '../../agent/contract/index.js';
import { fileCamera, writeAgentConfig } from './support.js';

interface Logged { gateway: string; event: EventMessage }

function readEvents(outDir: string): EventMessage[] {
  const file = path.join(outDir, 'events.jsonl');
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8').trim().split('\n').filter(Boolean).map((l) => (JSON.parse(l) as Logged).event);
}

function clipFiles(outDir: string): { good: string[]; rejected: string[] } {
  const dir = path.join(outDir, 'clips', 'gw-saf');
  const files = existsSync(dir) ? readdirSync(dir) : [];
  return { good: files.filter((f) => f.endsWith('.mp4')), rejected: files.filter((f) => f.endsWith('.rejected.json')) };
}

/** Every event arrived in seq order from 1, no gap, no duplicate id. */
function assertCompleteAndOrdered(events: EventMessage[]): void {
  const seqs = events.map((e) => e.seq);
  assert.deepEqual(seqs, seqs.map((_, i) => i + 1), 'seq 1..N in arrival order, without gap or duplicate');
  assert.equal(new Set(events.map((e) => e.id)).size, events.length, 'no duplicate ids');
}

describe('store and forward through a broker outage (real Mosquitto, LevelDB, clips)', function () {
  this.timeout(600000);
  const tmp = tempDir('agent-saf-');
  const broker = new MosquittoBroker({ persistence: true });
  let receiver: Receiver;
  const outDir = path.join(tmp.dir, 'central');

  before(async () => {
    await broker.start();
    receiver = new Receiver({ brokerUrl: broker.url, outDir, gateway: 'gw-saf', clientId: 'central-saf', sessionExpirySeconds: 3600 });
    await receiver.start();
  });
  after(async () => {
    await receiver.stop();
    await broker.dispose();
    tmp.cleanup();
  });

  const config = (): string =>
    writeAgentConfig(tmp.dir, 'gw-saf', broker.url, {
      health: { intervalSeconds: 5 },
      recording: { segmentSeconds: 2 },
      clips: { preSeconds: 1, postSeconds: 1 },
      cameras: [fileCamera('street', 'ozlu_vehicle_survaillance.mp4')],
    });

  it('delivers every event in seq order and every clip verified after the broker was down 60 s, and after a kill -9 while buffering', async () => {
    let agent = startCli(['run', '--config', config()]);
    try {
      await waitFor(() => readEvents(outDir).length >= 3, { timeoutMs: 180000, what: 'first events at the receiver' });

      // 1. Broker down for 60 s while the camera keeps producing events and clips.
      await broker.stop();
      await new Promise((r) => setTimeout(r, 60000));
      await broker.start();
      await waitFor(() => clipFiles(outDir).good.length >= 2 && readEvents(outDir).length >= 10, { timeoutMs: 180000, what: 'backlog drained to the receiver' });
      const afterOutage = readEvents(outDir).length;

      // 2. kill -9 while buffering (broker down), restart, broker back.
      await broker.stop();
      await new Promise((r) => setTimeout(r, 15000));
      await stopProcess(agent, 'SIGKILL');
      agent = startCli(['run', '--config', config()]);
      await new Promise((r) => setTimeout(r, 10000));
      await broker.start();
      await waitFor(() => readEvents(outDir).length > afterOutage + 3, { timeoutMs: 180000, what: 'events buffered across the kill delivered' });
    } finally {
      await stopProcess(agent, 'SIGTERM');
    }
    // Let the receiver settle on what the agent delivered before it stopped.
    await waitFor(() => receiver.stats().pendingClips === 0, { timeoutMs: 60000, what: 'no clip half-received' });

    const events = readEvents(outDir);
    assertCompleteAndOrdered(events);
    const clips = clipFiles(outDir);
    assert.ok(clips.good.length >= 2, `clips verified: ${clips.good.length}`);
    assert.deepEqual(clips.rejected, [], 'no clip failed verification');
    assert.equal(Object.values(receiver.stats().missingSeqs).reduce((a, b) => a + b, 0), 0, 'the receiver saw no gap');
  });
});
