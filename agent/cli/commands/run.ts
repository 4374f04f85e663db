import type { Command } from 'commander';
import { loadConfigFile } from '../../config/load.js';
import { toErrorInfo, AgentError } from '../../core/errors.js';
import { createLogger } from '../../core/logger.js';
import type { Agent } from '../../runtime/agent.js';
import { startSystemdWatchdog } from '../../runtime/watchdog.js';

/** `edge-agent run --config FILE`: the agent service. SIGINT/SIGTERM stop it cleanly (status offline). */
export function register(program: Command): void {
  program
    .command('run')
    .description('run the agent service')
    .requiredOption('-c, --config <file>', 'config file (JSON)')
    .action(async (opts: { config: string }) => {
      const bootLogger = createLogger();
      let agent: Agent;
      try {
        const config = loadConfigFile(opts.config);
        const logger = createLogger(process.env.EDGE_LOG_LEVEL ?? config.logging.level);
        installCrashGuards(logger);
        // Loaded on use, so the other commands start fast and don't depend on the runtime's modules.
        const { Agent } = await import('../../runtime/agent.js');
        agent = await Agent.start(config, logger);
        logger.info({ gatewayId: agent.gatewayId, cameras: config.cameras.length }, 'agent started');
      } catch (err) {
        const info = toErrorInfo(err, 'AGENT_START_FAILED');
        bootLogger.fatal({ err: info }, `agent failed to start: ${info.message}`);
        process.stderr.write(`${info.code}: ${info.message}${err instanceof AgentError && err.remedy ? `\nremedy: ${err.remedy}` : ''}\n`);
        process.exit(1);
      }
      const watchdog = startSystemdWatchdog(() => true);
      let stopping = false;
      const stop = (signal: string): void => {
        if (stopping) return;
        stopping = true;
        bootLogger.info({ signal }, 'stopping');
        watchdog.stop();
        const force = setTimeout(() => process.exit(1), 20000);
        force.unref();
        agent.stop().then(() => process.exit(0), () => process.exit(1));
      };
      process.on('SIGINT', () => stop('SIGINT'));
      process.on('SIGTERM', () => stop('SIGTERM'));
    });
}

/** A stray rejection is logged, not fatal: one bad message must not take the box offline. */
export function installCrashGuards(logger: ReturnType<typeof createLogger>): void {
  process.on('unhandledRejection', (reason) => logger.error({ err: toErrorInfo(reason, 'UNHANDLED_REJECTION') }, 'unhandled rejection'));
}
