import { execFile } from 'node:child_process';

export type Liveness = () => boolean;

export interface SystemdWatchdog {
  stop: () => void;
  notify: (state: string) => void;
}

/**
 * systemd integration without a native module (Node has no AF_UNIX datagram sockets): READY=1 once
 * started, then WATCHDOG=1 every half watchdog period, but only while `alive()` holds. The ping rides
 * on a timer of this process, so a blocked event loop stops it too; `alive()` adds the agent's own
 * checks (not stopping, uplink not wedged). systemd-notify is a child process, hence the unit's
 * NotifyAccess=all and `--pid`, which names this process as the service's main PID. Outside systemd
 * (no NOTIFY_SOCKET: a shell, Docker) it does nothing.
 */
export function startSystemdWatchdog(alive: Liveness, env: NodeJS.ProcessEnv = process.env): SystemdWatchdog {
  const socket = env.NOTIFY_SOCKET;
  const notify = (state: string): void => {
    if (!socket) return;
    // Best effort: a failed ping is what the watchdog exists to notice.
    execFile('systemd-notify', [`--pid=${process.pid}`, state], { env: { ...env, NOTIFY_SOCKET: socket }, timeout: 10_000 }, () => undefined);
  };
  const usec = Number(env.WATCHDOG_USEC ?? 0);
  let timer: NodeJS.Timeout | undefined;
  if (socket && usec > 0) {
    timer = setInterval(() => {
      if (alive()) notify('WATCHDOG=1');
    }, Math.max(500, usec / 2000));
    timer.unref();
  }
  notify('READY=1');
  return {
    stop: () => {
      if (timer) clearInterval(timer);
      timer = undefined;
      notify('STOPPING=1');
    },
    notify,
  };
}

/**
 * Uplink liveness for the watchdog: alive while connected, or offline for less than `maxOfflineMs`.
 * Store-and-forward rides out outages, so the limit is long (a restart rebuilds the MQTT client and the
 * network path, keeping the LevelDB outbox); 0 disables it. Polled by the watchdog timer.
 */
export function uplinkOnlineWithin(maxOfflineMs: number, isConnected: () => boolean, now: () => number = Date.now): Liveness {
  let lastOnline = now();
  return () => {
    if (maxOfflineMs <= 0 || isConnected()) {
      lastOnline = now();
      return true;
    }
    return now() - lastOnline < maxOfflineMs;
  };
}

/** All checks must hold. */
export function allAlive(...checks: Liveness[]): Liveness {
  return () => checks.every((check) => check());
}
