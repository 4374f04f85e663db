import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { openNotifySender } from '../../agent/runtime/sd-notify.js';
import { waitFor } from '../support/wait.js';

/**
 * Plays systemd's side of NOTIFY_SOCKET: a real AF_UNIX datagram socket with SO_PASSCRED, so each
 * datagram arrives with the kernel's SCM_CREDENTIALS, the sender PID that NotifyAccess=main checks.
 * Python because Node cannot receive ancillary data on a datagram socket.
 */
const LISTENER = `
import json, socket, struct, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_PASSCRED, 1)
s.bind(sys.argv[1])
print(json.dumps({"listening": True}), flush=True)
while True:
    data, anc, flags, addr = s.recvmsg(4096, socket.CMSG_SPACE(12))
    pid = None
    for level, kind, cdata in anc:
        if level == socket.SOL_SOCKET and kind == socket.SCM_CREDENTIALS:
            pid = struct.unpack("iII", cdata[:12])[0]
    print(json.dumps({"pid": pid, "data": data.decode()}), flush=True)
`;

export interface Notification { pid: number; data: string }

export class NotifyListener {
  readonly received: Notification[] = [];
  private proc?: ChildProcess;
  private listening = false;
  private markers = 0;

  constructor(readonly socketPath: string) {}

  async start(): Promise<this> {
    this.proc = spawn('/usr/bin/python3', ['-c', LISTENER, this.socketPath], { stdio: ['ignore', 'pipe', 'inherit'] });
    createInterface({ input: this.proc.stdout! }).on('line', (line) => {
      const msg = JSON.parse(line) as Notification | { listening: true };
      if ('listening' in msg) this.listening = true;
      else this.received.push(msg);
    });
    await waitFor(() => this.listening && existsSync(this.socketPath), { what: 'the notify socket' });
    return this;
  }

  stop(): void {
    this.proc?.kill();
  }

  /** sd_notify lines (READY=1, WATCHDOG=1, STOPPING=1, ...) received from index `since` on, with their sender. */
  states(since = 0): { pid: number; state: string }[] {
    return this.received.slice(since).flatMap((m) => m.data.split('\n').filter(Boolean).map((state) => ({ pid: m.pid, state })));
  }

  count(state: string, since = 0): number {
    return this.states(since).filter((s) => s.state === state).length;
  }

  /**
   * Sends a marker datagram from this process and waits for it: a unix datagram socket delivers in order,
   * so whatever any process had sent before this call has been received once it returns.
   */
  async flush(): Promise<number> {
    const marker = `X_TEST_MARKER=${++this.markers}`;
    const sender = openNotifySender(this.socketPath);
    try {
      sender.send(marker);
    } finally {
      sender.close();
    }
    await waitFor(() => this.received.some((m) => m.data === marker), { what: marker });
    return this.received.findIndex((m) => m.data === marker);
  }
}
