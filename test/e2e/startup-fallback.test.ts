import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { startCli, stopProcess } from '../support/agent-cli.js';
import { brokerSuite } from '../support/broker-suite.js';
import type { MqttCollector } from '../support/mqtt-collector.js';
import { freePort } from '../support/ports.js';
import { waitFor } from '../support/wait.js';
import type { HealthMessage as Health, OnlineStatus as Status } from '../../agent/contract/index.js';

/** Issue 15 item 2: start-up cannot brick a box (real agent processes against a real broker). */
describe('start-up falls back instead of bricking the box', function () {
  this.timeout(600000);
  const { tmp, broker, collect } = brokerSuite('startup-fallback-');
  let collector: MqttCollector;
  let n = 0;

  before(async () => {
    collector = await collect('edge/#');
  });

  /** A fresh gateway (own id and data dir) with a config file naming one test camera. */
  function gateway(fileConfig: Record<string, unknown> = {}): { id: string; dataDir: string; configFile: string; config: (camera: string, extra?: Record<string, unknown>) => Record<string, unknown>; lastGood: (file: 'last-good' | 'last-good.previous', version: number, config: unknown) => void } {
    const id = `gw-boot${++n}`;
    const dataDir = path.join(tmp.dir, id);
    const config = (camera: string, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
      gateway: { id, dataDir },
      mqtt: { url: broker.url, topicPrefix: 'edge' },
      health: { intervalSeconds: 1 },
      detection: { enabled: false },
      cameras: [{ id: camera, source: { kind: 'test', pattern: 'ball' }, record: { enabled: false } }],
      ...extra,
    });
    const configFile = path.join(tmp.dir, `${id}.json`);
    writeFileSync(configFile, JSON.stringify({ ...config('file-cam'), ...fileConfig }));
    const lastGood = (file: string, version: number, cfg: unknown): void => {
      mkdirSync(path.join(dataDir, 'provisioning'), { recursive: true });
      writeFileSync(path.join(dataDir, 'provisioning', `${file}.json`), JSON.stringify({ version, savedAt: new Date().toISOString(), config: cfg }));
    };
    return { id, dataDir, configFile, config, lastGood };
  }

  const statusAfter = (id: string, before: number, match: (s: Status) => boolean, what: string): Promise<Status> =>
    waitFor(() => collector.json<Status>(`${id}/status`).slice(before).find((s) => s.state === 'online' && match(s)), { timeoutMs: 120000, what });

  it('starts on the previous last-good when the newest fails THE schema (a key renamed by an upgrade), and says so in status and health', async () => {
    const gw = gateway();
    gw.lastGood('last-good', 7, { ...gw.config('lg-cam'), health: { interval: 1 } });
    gw.lastGood('last-good.previous', 6, gw.config('prev-cam'));
    const agent = startCli(['run', '--config', gw.configFile]);
    try {
      const status = await statusAfter(gw.id, 0, () => true, `online status: ${agent.log.slice(-2000)}`);
      assert.equal(status.startup?.source, 'previous');
      assert.equal(status.startup?.version, 6);
      assert.deepEqual(status.startup?.skipped.map((s) => `${s.source}: ${s.code}`), ['last-good: LAST_GOOD_CORRUPT']);
      const health = await collector.waitForMessage<Health>(`${gw.id}/health`, (h) => h.cameras['prev-cam']?.state === 'streaming', 90000);
      assert.equal(health.startup?.source, 'previous');
      assert.deepEqual(Object.keys(health.cameras), ['prev-cam']);
      assert.match(agent.log, /health\.interval: unknown key.*"code":"LAST_GOOD_CORRUPT"/);
    } finally {
      assert.equal(await stopProcess(agent, 'SIGTERM'), 0, agent.log.slice(-2000));
    }
  });

  it('passes over a last-good whose boots keep dying before they run stable, and runs the config file', async () => {
    const gw = gateway();
    gw.lastGood('last-good', 3, gw.config('lg-cam'));
    const env = { EDGE_BOOT_STABLE_S: '3600' };
    for (let attempt = 1; attempt <= 3; attempt++) {
      const before = collector.json(`${gw.id}/status`).length;
      const agent = startCli(['run', '--config', gw.configFile], env);
      try {
        const status = await statusAfter(gw.id, before, () => true, `boot ${attempt} online: ${agent.log.slice(-2000)}`);
        assert.equal(status.startup?.source, 'last-good');
        assert.equal(status.startup?.bootAttempt, attempt);
      } finally {
        // Like a crash or a hang the supervisor ends: the boot never becomes stable.
        await stopProcess(agent, 'SIGKILL');
      }
    }
    const before = collector.json(`${gw.id}/status`).length;
    const agent = startCli(['run', '--config', gw.configFile], env);
    try {
      const status = await statusAfter(gw.id, before, () => true, `boot 4 online: ${agent.log.slice(-2000)}`);
      assert.equal(status.startup?.source, 'file');
      assert.deepEqual(status.startup?.skipped.map((s) => `${s.source}: ${s.code}`), ['last-good: BOOT_ATTEMPTS_EXHAUSTED']);
      await collector.waitForMessage<Health>(`${gw.id}/health`, (h) => h.startup?.source === 'file' && h.cameras['file-cam']?.state === 'streaming', 90000);
    } finally {
      assert.equal(await stopProcess(agent, 'SIGTERM'), 0, agent.log.slice(-2000));
    }
  });

  it('tries the next config in the same process when the start itself fails on one', async () => {
    const gw = gateway();
    // The broker password names a secret file that is not there: the uplink cannot start on it.
    gw.lastGood('last-good', 4, gw.config('lg-cam', { mqtt: { url: broker.url, topicPrefix: 'edge', username: 'u', password: { file: path.join(tmp.dir, 'no-such-secret') } } }));
    const agent = startCli(['run', '--config', gw.configFile]);
    try {
      const status = await statusAfter(gw.id, 0, () => true, `online status: ${agent.log.slice(-2000)}`);
      assert.equal(status.startup?.source, 'file');
      assert.deepEqual(status.startup?.skipped.map((s) => `${s.source}: ${s.code}`), ['last-good: SECRET_FILE_UNREADABLE']);
      await waitFor(() => agent.log.includes('"msg":"agent started"'), { what: 'the agent started' });
      assert.match(agent.log, /"source":"last-good".*"code":"SECRET_FILE_UNREADABLE".*trying the next config in line/);
      assert.equal((agent.log.match(/"msg":"agent started"/g) ?? []).length, 1, 'one agent runs');
      assert.equal(agent.exitCode, null, 'in the first process');
    } finally {
      assert.equal(await stopProcess(agent, 'SIGTERM'), 0, agent.log.slice(-2000));
    }
  });

  it('runs without the optional parts that cannot start: a status page whose port is taken, a camera whose secret file is missing', async () => {
    const blocker = net.createServer();
    const port = await freePort();
    await new Promise<void>((resolve) => blocker.listen(port, '127.0.0.1', resolve));
    const gw = gateway();
    writeFileSync(gw.configFile, JSON.stringify({
      ...gw.config('pattern'),
      statusPage: { enabled: true, host: '127.0.0.1', port, password: 'technician' },
      cameras: [
        { id: 'pattern', source: { kind: 'test', pattern: 'ball' }, record: { enabled: false } },
        { id: 'locked', source: { kind: 'rtsp', url: 'rtsp://127.0.0.1:1/stream', username: 'admin', password: { file: path.join(tmp.dir, 'missing-camera-secret') } }, record: { enabled: false } },
      ],
    }));
    const agent = startCli(['run', '--config', gw.configFile], { EDGE_STATUS_PAGE_RETRY_S: '1' });
    try {
      const health = await collector.waitForMessage<Health>(`${gw.id}/health`, (h) => h.cameras.pattern?.state === 'streaming' && h.cameras.locked?.lastError !== undefined, 90000);
      assert.deepEqual(health.degraded?.map((d) => `${d.part}: ${d.code}`), ['statusPage: STATUS_PAGE_UNAVAILABLE']);
      assert.equal(health.cameras.locked.lastError?.code, 'SECRET_FILE_UNREADABLE');
      assert.notEqual(health.cameras.locked.state, 'streaming');
      assert.match(agent.log, /"code":"STATUS_PAGE_UNAVAILABLE"/);
      assert.match(agent.log, /"code":"SECRET_FILE_UNREADABLE"/);
      // The port comes free: the status page comes up by itself, and health stops saying degraded.
      await new Promise<void>((resolve) => blocker.close(() => resolve()));
      const before = collector.json(`${gw.id}/health`).length;
      await waitFor(() => collector.json<Health>(`${gw.id}/health`).slice(before).find((h) => h.degraded === undefined), { timeoutMs: 60000, what: 'health without degraded parts' });
      const res = await fetch(`http://127.0.0.1:${port}/`);
      assert.equal(res.status, 401, 'the status page answers (and wants its password)');
    } finally {
      blocker.close();
      assert.equal(await stopProcess(agent, 'SIGTERM'), 0, agent.log.slice(-2000));
    }
  });
});
