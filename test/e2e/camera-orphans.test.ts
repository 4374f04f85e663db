import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { startCli, stopProcess } from '../support/agent-cli.js';
import { cameraProcessesOf, cameraSideProcessesOf } from '../support/camera-processes.js';
import { cameraProcessEnv } from '../../agent/ingest/camera-launch.js';
import { MosquittoBroker } from '../support/mosquitto.js';
import { MqttCollector } from '../support/mqtt-collector.js';
import { REPO_ROOT, tempDir } from '../support/tmp.js';
import { waitFor } from '../support/wait.js';
import type { HealthMessage as Health } from '../../agent/contract/index.js';

/** The process group of a pid, from /proc/<pid>/stat (the field after the parent pid). */
function processGroupOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]);
}

/** Issue 15 item 5: no camera process outlives its agent, however the agent ends. */
describe('camera processes die with the agent', function () {
  this.timeout(600000);
  const tmp = tempDir('camera-orphans-');
  const broker = new MosquittoBroker();
  const dataDir = path.join(tmp.dir, 'data');
  let configFile: string;
  let health: MqttCollector;

  before(async () => {
    await broker.start();
    health = await new MqttCollector(broker.url, 'edge/gw-orphans/health').start();
    configFile = path.join(tmp.dir, 'config.json');
    writeFileSync(configFile, JSON.stringify({
      gateway: { id: 'gw-orphans', dataDir },
      mqtt: { url: broker.url, topicPrefix: 'edge' },
      health: { intervalSeconds: 1 },
      detection: { enabled: false },
      cameras: [
        // Recording makes the camera's stop an EOS wait of up to seconds: the kill lands inside it.
        { id: 'street', source: { kind: 'file', path: path.join(REPO_ROOT, 'scripts/demo/street.mp4'), loop: true }, record: { enabled: true } },
        { id: 'pattern', source: { kind: 'test', pattern: 'ball' }, record: { enabled: false } },
      ],
    }));
  });
  after(async () => {
    for (const pid of cameraSideProcessesOf(dataDir)) process.kill(pid, 'SIGKILL');
    await health.stop();
    await broker.dispose();
    tmp.cleanup();
  });

  it('leaves no camera process behind when the agent is killed while streaming, or sent TERM and then KILL mid-stop, ten times', async () => {
    for (let round = 1; round <= 10; round++) {
      const since = health.messages.length;
      const startedAt = Date.now();
      const agent = startCli(['run', '--config', configFile]);
      // Odd rounds: SIGKILL while streaming (nothing of the agent runs after it). Even rounds: SIGKILL as
      // soon as the stop has begun (a gst-launch child's EOS stop is quick, so it may have finished).
      const midStop = round % 2 === 0;
      try {
        // Made by this round's agent: a report the previous one sent just before its kill can reach the collector after `since`.
        const bothStreaming = (h: Health): boolean => Date.parse(h.ts) >= startedAt && ['street', 'pattern'].every((id) => h.cameras[id]?.state === 'streaming');
        await waitFor(() => health.json<Health>('/health', since).some(bothStreaming), { timeoutMs: 120000, what: `round ${round}: both cameras streaming: ${agent.log.slice(-2000)}` });
        assert.equal(cameraProcessesOf(dataDir).length, 2, `round ${round}: one process per camera: ${agent.log.slice(-3000)}`);
        // A terminal's Ctrl-C (or `timeout`) signals the agent's whole process group: its children must not be in it.
        for (const pid of cameraSideProcessesOf(dataDir)) assert.notEqual(processGroupOf(pid), processGroupOf(agent.pid ?? 0), `round ${round}: camera-side process ${pid} shares the agent's process group`);
        if (midStop) {
          agent.kill('SIGTERM');
          await waitFor(() => agent.log.includes('"msg":"stopping"') || agent.exitCode !== null, { what: `round ${round}: the agent stopping` });
        }
      } finally {
        await stopProcess(agent, 'SIGKILL');
      }
      if (!midStop) assert.equal(agent.signalCode, 'SIGKILL', `round ${round}: killed while streaming: ${agent.log.slice(-2000)}`);
      // The cameras, their launchers and the camera zygote.
      await waitFor(() => cameraSideProcessesOf(dataDir).length === 0, { timeoutMs: 15000, what: `round ${round}: no camera process left (${cameraSideProcessesOf(dataDir).join(', ')})` });
    }
  });

  it('kills a camera process an earlier run of the same data dir left behind, and only that one', async () => {
    // Stand-ins for leftovers of a run killed before camera processes died with their parent: real
    // gst-launch-1.0 pipelines with the environment markers the agent gives its cameras, parent not an agent.
    const otherDir = path.join(tmp.dir, 'other-agent-data');
    const leftover = (cameraId: string, dir: string): ChildProcess =>
      spawn('gst-launch-1.0', ['videotestsrc', 'is-live=true', '!', 'fakesink'], { stdio: 'ignore', env: { ...process.env, ...cameraProcessEnv(cameraId, dir) } });
    const ours = leftover('street', dataDir);
    const theirs = leftover('street', otherDir);
    const agent = startCli(['run', '--config', configFile]);
    try {
      await waitFor(() => cameraProcessesOf(dataDir).includes(ours.pid ?? -1) && cameraProcessesOf(otherDir).includes(theirs.pid ?? -1), { what: 'both leftovers running' });
      await waitFor(() => ours.signalCode === 'SIGKILL', { timeoutMs: 120000, what: `our leftover killed: ${agent.log.slice(-2000)}` });
      assert.match(agent.log, new RegExp(`"pid":${ours.pid}.*"camera":"street".*left behind`));
      assert.equal(theirs.exitCode, null, 'the other data dir\'s camera process lives on');
      assert.equal(theirs.signalCode, null, 'the other data dir\'s camera process lives on');
      await waitFor(() => cameraProcessesOf(dataDir).length === 2, { timeoutMs: 120000, what: 'our own two cameras running' });
      assert.ok(!cameraProcessesOf(dataDir).includes(ours.pid ?? -1));
    } finally {
      assert.equal(await stopProcess(agent, 'SIGTERM'), 0, agent.log.slice(-2000));
      ours.kill('SIGKILL');
      theirs.kill('SIGKILL');
    }
  });
});
