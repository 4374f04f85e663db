import type { Command } from 'commander';
import { AgentError, toErrorInfo } from '../../core/errors.js';
import { createLogger, type Logger } from '../../core/logger.js';
import type { Agent } from '../../runtime/agent.js';
import type { BootedAgent } from '../../runtime/boot.js';
import { allAlive, startSystemdWatchdog, takeSystemdEnvironment, uplinkOnlineWithin } from '../../runtime/watchdog.js';

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
        const force = setTimeout(() => process.exit(1), 25000);
        force.unref();
        if (agent) finish(agent); // else still starting: it stops as soon as it is up (below)
      };
      // Before the start, which can take seconds: a stop asked for meanwhile still ends cleanly (offline status, outbox closed).
      process.on('SIGINT', () => stop('SIGINT'));
      process.on('SIGTERM', () => stop('SIGTERM'));
      agent = await start();
      if (stopping) return finish(agent);
      // systemd's watchdog is fed while not stopping and the uplink is not wedged (scripts/systemd/edge-agent.service).
      const maxOfflineMs = Number(process.env.EDGE_WATCHDOG_MAX_OFFLINE_S ?? 0) * 1000;
      const current = (): Agent => agent as Agent;
      watchdog = startSystemdWatchdog(allAlive(() => !stopping, uplinkOnlineWithin(maxOfflineMs, () => current().uplink.connected)), bootLogger, systemdEnv);
      const onRestart = (): void => {
        current().onRestartRequested(() => {
          if (stopping) return;
          bootLogger.info('restart requested');
          booted?.stoppedCleanly();
          // A stop step that failed was logged; the agent starts again anyway rather than stay down.
          const stopped = current().stop().catch((err: unknown) => bootLogger.error({ err: toErrorInfo(err, 'SUBSYSTEM_STOP_FAILED') }, 'agent did not stop cleanly; starting it again'));
          void stopped.then(async () => {
            agent = await start();
            if (stopping) return finish(agent);
            onRestart();
          });
        });
      };
      onRestart();
    });
}

/** A stray rejection is logged, not fatal: one bad message must not take the box offline. */
function installCrashGuards(logger: Logger): void {
  process.on('unhandledRejection', (reason) => logger.error({ err: toErrorInfo(reason, 'UNHANDLED_REJECTION') }, 'unhandled rejection'));
}
