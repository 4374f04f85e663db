import type { Command } from 'commander';
import { AgentError, toErrorInfo, type ErrorCode } from '../../core/errors.js';
import { createLogger, type Logger } from '../../core/logger.js';
import type { Agent } from '../../runtime/agent.js';
import type { BootedAgent } from '../../runtime/boot.js';
import { allAlive, holdsWithin, startSystemdWatchdog, takeSystemdEnvironment } from '../../runtime/watchdog.js';

/**
 * `edge-agent run --config FILE [--bootstrap FILE]`: the agent service, started on the best config
 * that runs (last-good, previous, file, bootstrap: runtime/boot.ts). SIGINT/SIGTERM stop it cleanly
 * (status offline); the `restart` command restarts it in-process.
 */
export function register(program: Command): void {
  program
    .command('run')
    .description('run the agent service')
    .option('-c, --config <file>', 'config file (JSON)')
    .option('-b, --bootstrap <file>', 'bootstrap file the gateway was flashed with (used when there is no config yet)')
    .action(async (opts: { config?: string; bootstrap?: string }) => {
      const bootLogger = createLogger();
      // Before any camera process is spawned, so none inherits systemd's notify socket.
      const systemdEnv = takeSystemdEnvironment();
      // Loaded on use, so the other commands start fast and don't depend on the runtime's modules.
      const { bootAgent } = await import('../../runtime/boot.js');
      let booted: BootedAgent | undefined;
      const start = async (): Promise<Agent> => {
        try {
          booted = await bootAgent(opts, bootLogger);
          return booted.agent;
        } catch (err) {
          const info = toErrorInfo(err, 'AGENT_START_FAILED');
          bootLogger.fatal({ err: info }, `agent failed to start: ${info.message}`);
          process.stderr.write(`${info.code}: ${info.message}${err instanceof AgentError && err.remedy ? `\nremedy: ${err.remedy}` : ''}\n`);
          process.exit(1);
        }
      };
      installCrashGuards(bootLogger);
      let agent: Agent | undefined;
      let stopping = false;
      let watchdog: { stop: () => void } | undefined;
      const finish = (running: Agent): void => {
        booted?.stoppedCleanly();
        void running.stop().then(() => process.exit(0), () => process.exit(1));
      };
      const stop = (signal: string): void => {
        if (stopping) return;
        stopping = true;
        bootLogger.info({ signal }, 'stopping');
        watchdog?.stop();
        exitIfStopHangs(bootLogger);
        if (agent) finish(agent); // else still starting: it stops as soon as it is up (below)
      };
      // Before the start, which can take seconds: a stop asked for meanwhile still ends cleanly (offline status, outbox closed).
      process.on('SIGINT', () => stop('SIGINT'));
      process.on('SIGTERM', () => stop('SIGTERM'));
      agent = await start();
      if (stopping) return finish(agent);
      // systemd's watchdog is fed while not stopping and neither the uplink nor the storage is wedged
      // (scripts/systemd/edge-agent.service).
      const maxOfflineMs = Number(process.env.EDGE_WATCHDOG_MAX_OFFLINE_S ?? 0) * 1000;
      const maxUnwritableMs = Number(process.env.EDGE_WATCHDOG_MAX_UNWRITABLE_S ?? 0) * 1000;
      const current = (): Agent => agent as Agent;
      const alive = allAlive(
        () => !stopping,
        holdsWithin(maxOfflineMs, () => current().uplink.connected),
        holdsWithin(maxUnwritableMs, () => !current().storageWedged()),
      );
      watchdog = startSystemdWatchdog(alive, bootLogger, systemdEnv);
      const onRestart = (): void => {
        current().onRestartRequested(() => {
          if (stopping) return;
          bootLogger.info('restart requested');
          booted?.stoppedCleanly();
          const hung = exitIfStopHangs(bootLogger);
          void current().stop().then(
            async () => {
              clearTimeout(hung);
              agent = await start();
              if (stopping) return finish(agent);
              onRestart();
            },
            // A part that did not stop may still hold the broker session, the outbox or a camera: a new
            // agent beside it is not safe, a new process is (systemd and Docker restart it).
            (err: unknown) => exitFailed(bootLogger, err, 'SUBSYSTEM_STOP_FAILED', 'agent did not stop cleanly for the in-process restart; exiting so the supervisor starts it afresh'),
          );
        });
      };
      onRestart();
    });
}

/** How long a stop (SIGTERM, or the in-process restart) may take before the process gives up on it. */
const STOP_TIMEOUT_MS = 25000;

/** Logs why with its code and ends the process with code 1, for the supervisor to start it afresh. */
function exitFailed(logger: Logger, err: unknown, code: ErrorCode, message: string): never {
  logger.fatal({ err: toErrorInfo(err, code) }, message);
  process.exit(1);
}

/**
 * A stop that never finishes must not leave the process up without a working agent. Not unref'd: a
 * stop stuck on a promise alone must not let the process end quietly with code 0 either.
 */
function exitIfStopHangs(logger: Logger): NodeJS.Timeout {
  return setTimeout(() => {
    const err = new AgentError('AGENT_STOP_TIMEOUT', `the agent did not stop within ${STOP_TIMEOUT_MS / 1000} s`);
    exitFailed(logger, err, err.code, 'agent stop hung; exiting so the supervisor starts it afresh');
  }, STOP_TIMEOUT_MS);
}

/** A stray rejection is logged, not fatal: one bad message must not take the box offline. */
function installCrashGuards(logger: Logger): void {
  process.on('unhandledRejection', (reason) => logger.error({ err: toErrorInfo(reason, 'UNHANDLED_REJECTION') }, 'unhandled rejection'));
}
