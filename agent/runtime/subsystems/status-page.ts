import { isDeepStrictEqual } from 'node:util';
import type { AgentConfig } from '../../config/schema/index.js';
import { resolveSecret } from '../../config/secrets.js';
import { AgentError } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import type { ApplyOutcome, Subsystem } from '../../core/subsystem.js';
import { StatusPageServer } from '../../diagnostics/status-page/server.js';
import type { StatusSource } from '../../diagnostics/status-page/types.js';

export interface StatusPageDeps {
  /** The running config (the runtime switches it before `apply`). */
  config: () => AgentConfig;
  gatewayId: string;
  source: StatusSource;
  logger: Logger;
}

/** The technician's status page when enabled; new settings rebind it live. */
export class StatusPageSubsystem implements Subsystem {
  readonly name = 'statusPage';
  private server?: StatusPageServer;
  private running = false;

  constructor(private readonly deps: StatusPageDeps) {}

  async start(): Promise<void> {
    const { config, gatewayId, source, logger } = this.deps;
    this.running = true;
    const sp = config().statusPage;
    if (!sp.enabled) return;
    const password = resolveSecret(sp.password);
    if (!password) throw new AgentError('STATUS_PAGE_NO_PASSWORD', 'the status page is enabled without a password', 'set statusPage.password');
    const server = new StatusPageServer({ host: sp.host, port: sp.port, password, gatewayId, source, logger });
    const port = await server.start();
    this.server = server;
    logger.info({ host: sp.host, port }, 'status page listening');
  }

  async stop(): Promise<void> {
    this.running = false;
    const server = this.server;
    this.server = undefined;
    await server?.stop();
  }

  async apply(next: AgentConfig, prev: AgentConfig): Promise<ApplyOutcome> {
    if (this.running && !isDeepStrictEqual(prev.statusPage, next.statusPage)) {
      await this.stop();
      await this.start();
    }
    return 'live';
  }
}
