import type { ErrorTable } from '../core/error-table.js';

/** Codes of the runtime (agent/runtime/ and `edge-agent run`): start, apply, control, health. */
export const RuntimeErrorCodes = {
  AGENT_START_FAILED: {
    summary: 'the agent could not start; the message says which part',
    remedy: 'fix it and the supervisor restarts it',
  },
  CONFIG_MISSING: {
    summary: '`edge-agent run` was given neither a config file nor a bootstrap file',
    remedy: 'pass `--config FILE` or `--bootstrap FILE`',
  },
  CONFIG_NOT_APPLICABLE: {
    summary: 'a desired config tried to change `gateway.id` or `gateway.dataDir`, which need a reflash',
    remedy: 'reflash the gateway to change its identity or data folder',
  },
  SUBSYSTEM_START_FAILED: {
    summary: 'one subsystem of the agent failed to start (logged with the subsystem and its own code); the ones already started are stopped again',
    remedy: 'see the log line for that subsystem; fix its cause and the supervisor restarts the agent',
  },
  SUBSYSTEM_STOP_FAILED: {
    summary: 'one step of the agent\'s stop failed; the other steps still stopped. During an in-process restart (the `restart` command) the process then exits with code 1 so its supervisor starts it afresh, rather than start a new agent beside a part that may still run',
    remedy: 'see the log for each failed step; a restart of the service clears it',
  },
  AGENT_STOP_TIMEOUT: {
    summary: 'the agent did not finish stopping within 25 s (on SIGTERM/SIGINT, or for an in-process restart); the process exits with code 1 and its supervisor starts it afresh',
    remedy: 'the log lines before it show the step that did not finish; report it if it repeats',
  },
  SUBSYSTEM_NOT_RUNNING: {
    summary: 'a command needed a part of the agent that is stopped while the agent starts or restarts into a new config',
    remedy: 'try again in a few seconds',
  },
  BOOT_ATTEMPTS_EXHAUSTED: {
    summary: 'a start-up config (last-good, previous, config file or bootstrap) began 3 boots that never ran stable for a minute (the agent crashed or hung after starting on it), or its start failed; the agent starts on the next config in line and says so in `status`/`health` (`startup`)',
    remedy: 'the log of those boots says why; a new desired config (a new last-good) is tried afresh',
  },
  STATUS_PAGE_UNAVAILABLE: {
    summary: 'the status page could not start (its port is taken or not allowed); the agent runs without it, `health.degraded` says so, and it retries every minute',
    remedy: 'free the port or set another `statusPage.port`',
  },
  STATUS_PAGE_NO_PASSWORD: {
    summary: 'the status page is enabled without `statusPage.password`',
    remedy: 'set `statusPage.password`',
  },
  HEALTH_FAILED: {
    summary: 'a health report could not be made or queued in the outbox (logged; the next one follows at the next health interval)',
    remedy: 'the message says why (often an `OUTBOX_*` code)',
  },
  CAMERA_UNKNOWN: {
    summary: 'a command (`camera/enable`, `camera/disable`, `snapshot`, `clip`) names a camera the running configuration does not have',
    remedy: 'use a camera id from `config/get`',
  },
  CAMERA_NO_FRAME: {
    summary: 'a `snapshot` was asked of a camera that has no frame yet',
    remedy: 'check the camera state in `health` or `edge-agent diag`',
  },
  WATCHDOG_NOTIFY_UNAVAILABLE: {
    summary: 'the agent cannot send to systemd\'s notify socket: the unix-dgram addon did not load, or NOTIFY_SOCKET is in the abstract namespace (`@...`); the agent runs on, but nothing feeds the watchdog',
    remedy: 'rebuild the addon for this box (run install.sh again, or `npm rebuild unix-dgram` in /opt/edge-agent) or give it a path NOTIFY_SOCKET; until then systemd restarts the agent when its start or WatchdogSec times out',
  },
  WATCHDOG_NOTIFY_FAILED: {
    summary: 'a datagram to systemd\'s notify socket (READY=1, WATCHDOG=1, STOPPING=1) could not be sent; logged once until a send succeeds again',
    remedy: 'the notify socket the service environment names is gone or refuses datagrams; systemd restarts the agent after WatchdogSec',
  },
  UNHANDLED_REJECTION: {
    summary: 'a bug: a promise rejected with nobody handling it; logged, the agent keeps running',
    remedy: 'please report it with the log',
  },
} as const satisfies ErrorTable;
