import { execFile } from 'node:child_process';

/**
 * systemd integration without a native module: READY=1 once started, then WATCHDOG=1 every half
 * watchdog period, but only while `alive()` holds (main loop turning — this timer fires — and the
 * uplink not wedged). Outside systemd (no NOTIFY_SOCKET) it does nothing.
 */
export function startSystemdWatchdog(alive: () => boolean): { stop: () => void; notify: (state: string) => void } {
  const enabled = Boolean(process.env.NOTIFY_SOCKET);
  const notify = (state: string): void => {
    if (enabled) execFile('systemd-notify', [`--pid=${process.pid}`, state], () => { /* best effort */ });
  };
  const usec = Number(process.env.WATCHDOG_USEC ?? 0);
  let timer: NodeJS.Timeout | undefined;
  if (enabled && usec > 0) {
    timer = setInterval(() => {
      if (alive()) notify('WATCHDOG=1');
    }, Math.max(1000, usec / 2000));
    timer.unref();
  }
  notify('READY=1');
  return { stop: () => { if (timer) clearInterval(timer); notify('STOPPING=1'); }, notify };
}
