import { strict as assert } from 'node:assert';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { startSystemdWatchdog, uplinkOnlineWithin, allAlive } from '../../agent/runtime/watchdog.js';
import { tempDir } from '../support/tmp.js';
import { waitFor } from '../support/wait.js';

/** A real AF_UNIX datagram socket, as systemd binds for NOTIFY_SOCKET; prints each datagram as a JSON line. */
const LISTENER = `
import json, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
print(json.dumps("listening"), flush=True)
while True:
    print(json.dumps(s.recv(4096).decode()), flush=True)
`;

describe('deploy: systemd watchdog notifications', function () {
  this.timeout(60000);
  let tmp: ReturnType<typeof tempDir>;
  let listener: ChildProcess;
  let socketPath: string;
  const received: string[] = [];

  before(async () => {
    tmp = tempDir('edge-notify-');
    socketPath = path.join(tmp.dir, 'notify.sock');
    listener = spawn('/usr/bin/python3', ['-c', LISTENER, socketPath], { stdio: ['ignore', 'pipe', 'inherit'] });
    createInterface({ input: listener.stdout! }).on('line', (line) => received.push(JSON.parse(line) as string));
    await waitFor(() => received.includes('listening') && existsSync(socketPath), { what: 'the notify socket' });
  });
  after(() => {
    listener.kill();
    tmp.cleanup();
  });

  const states = (): string[] => received.flatMap((m) => m.split('\n')).filter((l) => /^(READY|WATCHDOG|STOPPING)=/.test(l));

  it('sends READY=1, then WATCHDOG=1 only while alive() holds, then STOPPING=1', async () => {
    let alive = true;
    // WATCHDOG_USEC=1 s: a ping every 500 ms.
    const watchdog = startSystemdWatchdog(() => alive, { ...process.env, NOTIFY_SOCKET: socketPath, WATCHDOG_USEC: '1000000' });
    try {
      await waitFor(() => states().includes('READY=1'), { what: 'READY=1' });
      await waitFor(() => states().filter((s) => s === 'WATCHDOG=1').length >= 3, { what: 'three WATCHDOG=1 pings' });
      const mainPid = received.find((m) => m.includes('MAINPID='));
      assert.match(mainPid ?? '', new RegExp(`MAINPID=${process.pid}`), 'the agent process is named as the main PID');

      alive = false;
      // Let pings already in flight (systemd-notify is a child process) arrive before counting.
      await new Promise((r) => setTimeout(r, 1500));
      const before = states().filter((s) => s === 'WATCHDOG=1').length;
      await new Promise((r) => setTimeout(r, 2500)); // five ping periods
      assert.equal(states().filter((s) => s === 'WATCHDOG=1').length, before, 'no WATCHDOG=1 while not alive');

      alive = true;
      await waitFor(() => states().filter((s) => s === 'WATCHDOG=1').length > before, { what: 'pings to resume' });
    } finally {
      watchdog.stop();
    }
    await waitFor(() => states().includes('STOPPING=1'), { what: 'STOPPING=1' });
  });

  it('does nothing outside systemd (no NOTIFY_SOCKET)', async () => {
    const count = received.length;
    const env = { ...process.env };
    delete env.NOTIFY_SOCKET;
    const watchdog = startSystemdWatchdog(() => true, { ...env, WATCHDOG_USEC: '1000000' });
    await new Promise((r) => setTimeout(r, 1500));
    watchdog.stop();
    assert.equal(received.length, count);
  });

  it('counts the uplink alive while connected or offline for less than the limit', () => {
    let t = 0;
    let connected = true;
    const uplink = uplinkOnlineWithin(60_000, () => connected, () => t);
    assert.equal(uplink(), true);
    connected = false;
    t = 59_000;
    assert.equal(uplink(), true, 'a short outage is store-and-forward, not a fault');
    t = 61_000;
    assert.equal(uplink(), false, 'offline past the limit');
    connected = true;
    assert.equal(uplink(), true);
    assert.equal(uplinkOnlineWithin(0, () => false, () => t)(), true, '0 disables the limit');
    assert.equal(allAlive(() => true, uplink)(), true);
    assert.equal(allAlive(() => false, uplink)(), false);
  });
});
