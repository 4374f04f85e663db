import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { recordingDir } from '../../agent/ingest/pipeline-plan.js';
import { parseSegmentName } from '../../agent/ingest/segment-files.js';
import { Receiver } from '../../agent/receiver/receiver.js';
import { runCli, startCli, stopProcess } from '../support/agent-cli.js';
import { MosquittoBroker } from '../support/mosquitto.js';
import { MqttCollector } from '../support/mqtt-collector.js';
import { tempDir } from '../support/tmp.js';
import { waitFor } from '../support/wait.js';
import { fileCamera, writeAgentConfig } from './support.js';
import type { CommandResponse as Answer, HealthMessage as Health, StatusMessage as Status } from '../../agent/contract/index.js';

describe('an investigator pulls footage and a snapshot from a running gateway over MQTT', function () {
  this.timeout(400000);
  const tmp = tempDir('agent-inv-');
  const broker = new MosquittoBroker();
  const outDir = path.join(tmp.dir, 'central');
  const keys = path.join(tmp.dir, 'keys');
  let receiver: Receiver;
  let collector: MqttCollector;
  let agent: ReturnType<typeof startCli>;
  const request = (name: string, args: object, signed = false): Answer => {
    const r = runCli(['request', '--broker', broker.url, '--gateway', 'gw-inv', ...(signed ? ['--key', path.join(keys, 'fleet.key')] : []), name, JSON.stringify(args), '--timeout', '90']);
    assert.ok(r.stdout.trim(), `an answer to ${name}: ${r.stderr}`);
    return JSON.parse(r.stdout) as Answer;
  };
  /** A closed recording segment of the street camera reaches `ts`: a range up to it can be cut. */
  const recordedUpTo = (ts: number): boolean => {
    const dir = recordingDir(path.join(tmp.dir, 'gw-inv-data'), 'street');
    return existsSync(dir) && readdirSync(dir).some((name) => (parseSegmentName(name)?.endTs ?? 0) >= ts);
  };
  const verifiedFile = (clipId: string): string | undefined => {
    const dir = path.join(outDir, 'clips', 'gw-inv');
    return existsSync(dir) ? readdirSync(dir).find((f) => f.startsWith(clipId) && !f.endsWith('.json')) : undefined;
  };

  before(async () => {
    await broker.start();
    receiver = new Receiver({ brokerUrl: broker.url, outDir, gateway: 'gw-inv', clientId: 'central-inv' });
    await receiver.start();
    collector = await new MqttCollector(broker.url, 'edge/gw-inv/+').start();
    assert.equal(runCli(['keys', 'generate', '--out', keys]).status, 0);
    const config = writeAgentConfig(tmp.dir, 'gw-inv', broker.url, {
      health: { intervalSeconds: 2 },
      detection: { enabled: false },
      recording: { segmentSeconds: 2 },
      provisioning: { trustedKeys: [path.join(keys, 'fleet.pub')] },
      cameras: [fileCamera('street', 'ozlu_vehicle_survaillance.mp4')],
    });
    agent = startCli(['run', '--config', config]);
    await collector.waitForMessage<Health>('/health', (h) => h.cameras.street?.state === 'streaming', 120000);
  });
  after(async () => {
    if (agent) await stopProcess(agent);
    await collector.stop();
    await receiver.stop();
    await broker.dispose();
    tmp.cleanup();
  });

  it('cuts a clip of a past time range from local recording and delivers it verified', async () => {
    const from = Date.now();
    await waitFor(() => recordedUpTo(from + 5000), { timeoutMs: 60000, what: 'a closed recording segment past the range' });
    const answer = request('clip', { camera: 'street', from, to: from + 5000 }, true);
    assert.equal(answer.status, 'ok', JSON.stringify(answer));
    const clipId = String(answer.data?.clipId);
    const file = await waitFor(() => verifiedFile(clipId), { timeoutMs: 120000, what: `clip ${clipId} verified at the receiver` }).catch((err: Error) => {
      throw new Error(`${err.message}\nagent log:\n${agent.log.slice(-4000)}`);
    });
    assert.match(file, /\.mp4$/);
    const meta = JSON.parse(readFileSync(path.join(outDir, 'clips', 'gw-inv', `${clipId}.meta.json`), 'utf8')) as { verified: boolean; bytes: number; camera: string; startTs: string; endTs: string };
    assert.equal(meta.verified, true);
    assert.equal(meta.camera, 'street');
    assert.ok(meta.bytes > 10000);
    assert.ok(Date.parse(meta.startTs) <= from + 1000 && Date.parse(meta.endTs) >= from + 4000, `clip covers the range: ${meta.startTs}..${meta.endTs}`);
  });

  it('sends the latest frame as a verified JPEG', async () => {
    const answer = request('snapshot', { camera: 'street' }, true);
    assert.equal(answer.status, 'ok', JSON.stringify(answer));
    const clipId = String(answer.data?.clipId);
    const file = await waitFor(() => verifiedFile(clipId), { timeoutMs: 60000, what: 'snapshot verified at the receiver' });
    assert.match(file, /\.jpg$/);
    assert.deepEqual([...readFileSync(path.join(outDir, 'clips', 'gw-inv', file)).subarray(0, 2)], [0xff, 0xd8]);
  });

  it('refuses an unsigned camera/disable, then obeys a signed one and a signed enable', async () => {
    const unsigned = request('camera/disable', { camera: 'street' });
    assert.equal(unsigned.status, 'error');
    assert.equal(unsigned.error?.code, 'COMMAND_UNSIGNED', JSON.stringify(unsigned));
    // The answer came back, so the command was handled: health made after that still shows the camera streaming.
    const refusedAt = Date.now();
    const next = await collector.waitForMessage<Health>('/health', (h) => Date.parse(h.ts) > refusedAt, 60000);
    assert.equal(next.cameras.street?.state, 'streaming', 'the refused command left the camera running');
    const off = request('camera/disable', { camera: 'street' }, true);
    assert.equal(off.status, 'ok', JSON.stringify(off));
    await collector.waitForMessage<Health>('/health', (h) => h.cameras.street?.state === 'disabled', 60000);
    const on = request('camera/enable', { camera: 'street' }, true);
    assert.equal(on.status, 'ok', JSON.stringify(on));
    await collector.waitForMessage<Health>('/health', (h) => h.cameras.street?.state === 'streaming', 90000, collector.messages.length);
  });

  it('answers a clip request for a time never recorded with a clear error', async () => {
    const answer = request('clip', { camera: 'street', from: Date.now() - 7200000, to: Date.now() - 7190000 }, true);
    assert.equal(answer.status, 'error');
    assert.equal(answer.error?.code, 'CLIP_NO_RECORDING');
  });

  it('restarts in-process on a signed restart command and comes back streaming', async () => {
    const seen = collector.messages.length;
    const answer = request('restart', {}, true);
    assert.equal(answer.status, 'ok', JSON.stringify(answer));
    await collector.waitForMessage<Status>('/status', (s) => s.state === 'offline', 60000, seen);
    await collector.waitForMessage<Status>('/status', (s) => s.state === 'online', 60000, seen);
    // Made after the restart: reports the old run buffered in the outbox are delivered after `online` too.
    const backAt = Date.now();
    await collector.waitForMessage<Health>('/health', (h) => Date.parse(h.ts) >= backAt && h.cameras.street?.state === 'streaming', 90000, collector.messages.length);
    assert.equal(agent.exitCode, null, 'the same process kept running');
  });
});
