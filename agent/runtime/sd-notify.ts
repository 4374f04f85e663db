import { constants } from 'node:os';
import { AgentError } from '../core/errors.js';

/** The part of the unix-dgram addon we use (it ships no types). */
interface UnixDatagramSocket {
  send(buf: Buffer, offset: number, length: number, path: string, callback: (err?: Error) => void): void;
  close(): void;
}
interface UnixDgramModule {
  createSocket(type: 'unix_dgram'): UnixDatagramSocket;
}

/** Sends sd_notify(3) datagrams ("READY=1", "WATCHDOG=1", "STATUS=...") to systemd's notify socket. */
export interface NotifySender {
  /** Throws AgentError WATCHDOG_NOTIFY_FAILED when the datagram could not be sent. */
  send(state: string): void;
  close(): void;
}

const REBUILD = 'rebuild it for this box (run install.sh again, or `npm rebuild unix-dgram` in /opt/edge-agent)';
const UNFED = 'until then nothing feeds the watchdog: systemd restarts the agent when its start or WatchdogSec times out';

/**
 * Opens a sender from THIS process: systemd's NotifyAccess=main accepts only datagrams whose
 * SCM_CREDENTIALS name the service's main PID, so no helper process (systemd-notify) may send for us.
 * Node's dgram has no AF_UNIX datagram sockets, hence the small unix-dgram addon. It cannot address
 * Linux's abstract namespace ("@name": it copies the path with strncpy and sends the whole sockaddr
 * length), so that form is refused with a code instead of failing on every ping.
 * Throws AgentError WATCHDOG_NOTIFY_UNAVAILABLE when no sender can be made.
 */
export function openNotifySender(socketPath: string): NotifySender {
  if (socketPath.startsWith('@')) {
    throw new AgentError('WATCHDOG_NOTIFY_UNAVAILABLE', `NOTIFY_SOCKET ${socketPath} is in the abstract namespace, which the agent cannot send on`,
      `run it under a NOTIFY_SOCKET that is a path (systemd's own, /run/systemd/notify, is); ${UNFED}`);
  }
  if (!socketPath.startsWith('/')) {
    throw new AgentError('WATCHDOG_NOTIFY_UNAVAILABLE', `NOTIFY_SOCKET ${socketPath} is neither an absolute path nor @abstract`, `fix the service environment; ${UNFED}`);
  }
  let socket: UnixDatagramSocket;
  try {
    // Loaded on use: the other commands never need the addon, and a missing build must not stop the agent.
    socket = (require('unix-dgram') as UnixDgramModule).createSocket('unix_dgram');
  } catch (err) {
    throw new AgentError('WATCHDOG_NOTIFY_UNAVAILABLE', `the unix-dgram addon did not load: ${err instanceof Error ? err.message : String(err)}`,
      `${REBUILD}; ${UNFED}`, { cause: err });
  }
  return {
    send: (state) => {
      const buf = Buffer.from(state);
      let failure: Error | undefined;
      // unix-dgram calls back synchronously (sendmsg on a non-blocking socket).
      socket.send(buf, 0, buf.length, socketPath, (err) => (failure = err));
      if (failure) {
        throw new AgentError('WATCHDOG_NOTIFY_FAILED', `could not send ${state.split('\n')[0]} to ${socketPath}: ${errnoName(failure)}`,
          'the service environment names a notify socket that is gone or refuses datagrams; systemd restarts the agent after WatchdogSec', { cause: failure });
      }
    },
    close: () => socket.close(),
  };
}

/** unix-dgram reports errors as "send -111" with a negative errno: name it (ECONNREFUSED). */
function errnoName(err: Error & { code?: unknown }): string {
  const errno = typeof err.code === 'number' ? -err.code : NaN;
  const name = Object.entries(constants.errno).find(([, value]) => value === errno)?.[0];
  return name ?? err.message;
}
