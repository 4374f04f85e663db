import type { AgentConfig } from '../../config/schema/index.js';
import type { Logger } from '../../core/logger.js';
import type { ApplyOutcome, Subsystem } from '../../core/subsystem.js';

/**
 * logging.level, live: every subsystem logs through a child of the agent's logger, and pino's
 * children follow their parent's level. EDGE_LOG_LEVEL, when set, wins as it does at start.
 */
export class LoggingSubsystem implements Subsystem {
  readonly name = 'logging';

  constructor(private readonly logger: Logger, private readonly env: NodeJS.ProcessEnv = process.env) {}

  async start(): Promise<void> {}

  async stop(): Promise<void> {}

  async apply(next: AgentConfig, prev: AgentConfig): Promise<ApplyOutcome> {
    if (next.logging.level !== prev.logging.level && !this.env.EDGE_LOG_LEVEL) this.logger.level = next.logging.level;
    return 'live';
  }
}
