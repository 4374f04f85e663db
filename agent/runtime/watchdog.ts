import { toErrorInfo } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import { openNotifySender, type NotifySender } from './sd-notify.js';

export type Liveness = () => boolean;

export interface SystemdWatchdog {
  stop: () => void;
  notify: (state: string) => void;
}

export interface SystemdEnvironment {
  NOTIFY_SOCKET?: string;
  WATCHDOG_USEC?: string;
}

/**
 * Reads systemd's notify variables and removes them from this process's environment, as sd_notify(3)'s
 * unset_environment does: child processes (cameras, clip cutters) spawned afterwards never learn the
 * socket. Call it before the agent starts any.
 */
export function takeSystemdEnvironment(env: NodeJS.ProcessEnv = process.env): SystemdEnvironment {
  const taken = { NOTIFY_SOCKET: env.NOTIFY_SOCKET, WATCHDOG_USEC: env.WATCHDOG_USEC };
  delete env.NOTIFY_SOCKET;
  delete env.WATCHDOG_USEC;
  delete env.WATCHDOG_PID;
  return taken;
}

/** Outside systemd, or with a notify socket it cannot use. */
const UNWATCHED: SystemdWatchdog = { stop: () => undefined, notify: () => undefined };

/**
 * systemd integration: READY=1 once started, then WATCHDOG=1 every half watchdog period, but only while
 * `alive()` holds, STOPPING=1 at the stop. The datagrams leave from this (the main) process itself, so the
 * unit can say NotifyAccess=main and no camera process can feed the watchdog (sd-notify.ts). The ping
 * rides on a timer of this process, so a blocked event loop stops it too; `alive()` adds the agent's own
 * checks (not stopping, uplink not wedged). Outside systemd (no NOTIFY_SOCKET: a shell, Docker) it does
 * nothing. A notify socket it cannot use is logged with a code and the agent keeps running: the unfed
 * watchdog then has systemd restart it, which is the supervisor's job, not ours to pre-empt.
 */
export function startSystemdWatchdog(alive: Liveness, logger: Logger, env: SystemdEnvironment): SystemdWatchdog {
  const socketPath = env.NOTIFY_SOCKET;
  const usec = Number(env.WATCHDOG_USEC ?? 0);
  if (!socketPath) {
    logger.info('not under systemd (no NOTIFY_SOCKET): no readiness or watchdog notifications');
    return UNWATCHED;
  }
  let sender: NotifySender | undefined;
  try {
    sender = openNotifySender(socketPath);
  } catch (err) {
    logger.error({ err: toErrorInfo(err, 'WATCHDOG_NOTIFY_UNAVAILABLE') }, 'cannot notify systemd; the agent runs on, unwatched');
    return UNWATCHED;
  }
  // The first failure of a run is logged, then the next only after a send succeeded again (no log every ping).
  let failing = false;
  const notify = (state: string): void => {
    try {
      sender?.send(state);
      failing = false;
    } catch (err) {
      if (!failing) logger.error({ err: toErrorInfo(err, 'WATCHDOG_NOTIFY_FAILED') }, 'systemd notification failed');
      failing = true;
    }
  };
  let timer: NodeJS.Timeout | undefined;
  if (usec > 0) {
    timer = setInterval(() => {
      if (alive()) notify('WATCHDOG=1');
    }, Math.max(500, usec / 2000));
    timer.unref();
  }
  notify('READY=1\nSTATUS=running');
  if (!failing) logger.info({ notifySocket: socketPath, watchdogSec: usec / 1e6 }, 'systemd notified: ready');
  return {
    stop: () => {
      if (timer) clearInterval(timer);
      timer = undefined;
      notify('STOPPING=1\nSTATUS=stopping');
      sender?.close();
      sender = undefined;
    },
    notify,
  };
}

/**
 * A condition that may fail for a while: alive while `holds()`, or failing for less than `maxMs`; 0 disables
 * the limit. Polled by the watchdog timer. Used for the uplink (store-and-forward rides out outages, so the
 * limit is long: a restart rebuilds the MQTT client and the network path, keeping the LevelDB outbox) and
 * for storage that refuses writes with room on the disk (a restart reopens everything that touches it).
 */
export function holdsWithin(maxMs: number, holds: () => boolean, now: () => number = Date.now): Liveness {
  let lastHeld = now();
  return () => {
    if (maxMs <= 0 || holds()) {
      lastHeld = now();
      return true;
    }
    return now() - lastHeld < maxMs;
  };
}

/** All checks must hold. */
export function allAlive(...checks: Liveness[]): Liveness {
  return () => checks.every((check) => check());
}
