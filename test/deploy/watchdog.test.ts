import { strict as assert } from 'node:assert';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import { refusesWritesWithRoom } from '../../agent/outbox/write-health.js';
import { startSystemdWatchdog, holdsWithin, allAlive } from '../../agent/runtime/watchdog.js';
import { startCli, stopProcess } from '../support/agent-cli.js';
import { brokerSuite } from '../support/broker-suite.js';
import { cameraProcessesOf } from '../support/camera-processes.js';
import type { MqttCollector } from '../support/mqtt-collector.js';
import { waitFor } from '../support/wait.js';
import { NotifyListener } from './notify-listener.js';

/** A logger whose JSON lines the test can read. */
function capturedLogger(): { logger: pino.Logger; lines: () => string } {
  let text = '';
  const sink = new Writable({ write: (chunk: Buffer, _enc, done) => { text += chunk.toString(); done(); } });
  return { logger: pino({ level: 'info' }, sink), lines: () => text };
}

describe('deploy: systemd watchdog notifications', function () {
  this.timeout(120000);
  const { tmp, broker, collect } = brokerSuite('edge-notify-');
  let listener: NotifyListener;
  let collector: MqttCollector;
  let configFile: string;
  const dataDir = (): string => path.join(tmp.dir, 'data');

  before(async () => {
    listener = await new NotifyListener(path.join(tmp.dir, 'notify.sock')).start();
    collector = await collect('edge/gw-notify/#');
    configFile = path.join(tmp.dir, 'config.json');
    writeFileSync(configFile, JSON.stringify({
      gateway: { id: 'gw-notify', dataDir: dataDir() },
      mqtt: { url: broker.url, topicPrefix: 'edge' },
      health: { intervalSeconds: 1 },
      detection: { enabled: false },
      cameras: [{ id: 'pattern', source: { kind: 'test', pattern: 'ball' }, record: { enabled: false } }],
    }));
  });
  after(() => listener?.stop());

  it('sends READY=1, then WATCHDOG=1 only while alive() holds, then STOPPING=1, from this process', async () => {
    const since = listener.received.length;
    let alive = true;
    let polls = 0;
    const liveness = (): boolean => {
      polls++;
      return alive;
    };
    // WATCHDOG_USEC=1 s: a ping every 500 ms.
    const { logger } = capturedLogger();
    const watchdog = startSystemdWatchdog(liveness, logger, { NOTIFY_SOCKET: listener.socketPath, WATCHDOG_USEC: '1000000' });
    try {
      await waitFor(() => listener.count('WATCHDOG=1', since) >= 3, { what: 'three WATCHDOG=1 pings' });
      assert.deepEqual([...new Set(listener.states(since).map((s) => s.pid))], [process.pid], 'sent by this process itself');
      assert.equal(listener.states(since)[0]?.state, 'READY=1', 'READY=1 comes first');

      alive = false;
      // Pings are sent synchronously from the timer, so none is in flight once alive() is false: three more
      // polls (three ping periods) and a marker behind them show whether any ping still left.
      const from = await listener.flush();
      const pollsAtStop = polls;
      await waitFor(() => polls >= pollsAtStop + 3, { what: 'three polls of alive() while not alive' });
      await listener.flush();
      assert.equal(listener.count('WATCHDOG=1', from), 0, 'no WATCHDOG=1 while not alive');

      alive = true;
      await waitFor(() => listener.count('WATCHDOG=1', from) > 0, { what: 'pings to resume' });
    } finally {
      watchdog.stop();
    }
    await waitFor(() => listener.count('STOPPING=1', since) === 1, { what: 'STOPPING=1' });
  });

  it('the agent process itself (its main PID, as NotifyAccess=main checks) sends READY=1, WATCHDOG=1 and STOPPING=1', async () => {
    const since = listener.received.length;
    const agent = startCli(['run', '--config', configFile], { NOTIFY_SOCKET: listener.socketPath, WATCHDOG_USEC: '1000000' });
    try {
      await waitFor(() => listener.count('WATCHDOG=1', since) >= 2, { timeoutMs: 90000, what: `READY=1 and two WATCHDOG=1 from the agent: ${agent.log}` });
      const states = listener.states(since);
      assert.deepEqual([...new Set(states.map((s) => s.pid))], [agent.pid], 'every datagram carries the agent\'s own PID');
      assert.equal(states[0]?.state, 'READY=1', 'READY=1 comes first');
      // The camera runs in a child process; it never even learns the socket.
      const cameras = await waitFor(() => cameraProcessesOf(dataDir()).length > 0 && cameraProcessesOf(dataDir()), { what: 'the camera process' });
      for (const pid of cameras) {
        const environ = readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0');
        assert.ok(!environ.some((v) => v.startsWith('NOTIFY_SOCKET=')), `camera process ${pid} has no NOTIFY_SOCKET`);
      }
    } finally {
      assert.equal(await stopProcess(agent, 'SIGTERM'), 0, agent.log);
    }
    await listener.flush();
    const stopping = listener.states(since).filter((s) => s.state === 'STOPPING=1');
    assert.deepEqual(stopping.map((s) => s.pid), [agent.pid], 'STOPPING=1 once, from the agent');
    assert.doesNotMatch(agent.log, /WATCHDOG_NOTIFY/);
  });

  it('does nothing outside systemd (no NOTIFY_SOCKET): nothing sent by the time it would have been, no error', async () => {
    const since = listener.received.length;
    const agent = startCli(['run', '--config', configFile], { NOTIFY_SOCKET: undefined, WATCHDOG_USEC: '1000000' });
    try {
      // The point where READY=1 would have gone (the watchdog logs its decision there), then two health
      // reports 1 s apart: at least one 500 ms ping period later.
      await waitFor(() => /not under systemd|systemd notified/.test(agent.log), { timeoutMs: 90000, what: 'the agent started' });
      assert.match(agent.log, /not under systemd \(no NOTIFY_SOCKET\)/);
      const healthBefore = collector.messages.length;
      await waitFor(() => collector.json('gw-notify/health', healthBefore).length >= 2, { timeoutMs: 90000, what: 'two health reports' });
    } finally {
      assert.equal(await stopProcess(agent, 'SIGTERM'), 0, agent.log);
    }
    // Past STOPPING=1 too; the marker is received after anything the agent could have sent.
    const marker = await listener.flush();
    assert.deepEqual(listener.received.slice(since, marker), [], 'nothing reached the socket');
    assert.doesNotMatch(agent.log, /WATCHDOG_NOTIFY|systemd notified/);
  });

  it('logs a coded error and runs on when it cannot send: an abstract-namespace NOTIFY_SOCKET', () => {
    const { logger, lines } = capturedLogger();
    const watchdog = startSystemdWatchdog(() => true, logger, { NOTIFY_SOCKET: '@edge-agent-test', WATCHDOG_USEC: '1000000' });
    watchdog.notify('STATUS=still running');
    watchdog.stop();
    const { err } = JSON.parse(lines()) as { err: { code: string; message: string; remedy: string } };
    assert.equal(err.code, 'WATCHDOG_NOTIFY_UNAVAILABLE');
    assert.match(err.message, /@edge-agent-test is in the abstract namespace/);
    assert.match(err.remedy, /systemd restarts the agent/, 'the remedy says what happens meanwhile');
  });

  it('logs a send failure with a code, once until a send succeeds again', () => {
    const { logger, lines } = capturedLogger();
    const gone = path.join(tmp.dir, 'no-such.sock');
    const watchdog = startSystemdWatchdog(() => true, logger, { NOTIFY_SOCKET: gone });
    watchdog.notify('STATUS=one');
    watchdog.notify('STATUS=two');
    watchdog.stop();
    const failures = lines().split('\n').filter((l) => l.includes('"code":"WATCHDOG_NOTIFY_FAILED"'));
    assert.equal(failures.length, 1, lines());
    assert.match(failures[0], /READY=1 to .*no-such\.sock: ENOENT/);
  });

  it('counts the uplink alive while connected or offline for less than the limit', () => {
    let t = 0;
    let connected = true;
    const uplink = holdsWithin(60_000, () => connected, () => t);
    assert.equal(uplink(), true);
    connected = false;
    t = 59_000;
    assert.equal(uplink(), true, 'a short outage is store-and-forward, not a fault');
    t = 61_000;
    assert.equal(uplink(), false, 'offline past the limit');
    connected = true;
    assert.equal(uplink(), true);
    assert.equal(holdsWithin(0, () => false, () => t)(), true, '0 disables the limit');
    assert.equal(allAlive(() => true, uplink)(), true);
    assert.equal(allAlive(() => false, uplink)(), false);
  });

  it('counts storage wedged only when the outbox refuses writes with room on the disk (a restart cannot make room)', () => {
    const failed = (code: string) => ({ writeFailures: 3, writable: false, lastError: { code, message: 'x', ts: new Date(0).toISOString() } });
    assert.equal(refusesWritesWithRoom({ writeFailures: 0, writable: true }), false);
    assert.equal(refusesWritesWithRoom({ ...failed('OUTBOX_DISK_FULL'), writable: true }), false, 'healed');
    assert.equal(refusesWritesWithRoom(failed('OUTBOX_DISK_FULL')), false, 'full disk: the outbox reopens itself once there is room');
    assert.equal(refusesWritesWithRoom(failed('OUTBOX_REOPEN_FAILED')), true);
    assert.equal(refusesWritesWithRoom(failed('OUTBOX_WRITE_FAILED')), true);
  });
});
