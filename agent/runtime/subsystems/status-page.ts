import { isDeepStrictEqual } from 'node:util';
import type { AgentConfig } from '../../config/schema/index.js';
import { resolveSecret } from '../../config/secrets.js';
import { AgentError, toErrorInfo, type ErrorInfo } from '../../core/errors.js';
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

/** A port taken or a secret file missing is worth a retry: either may be fixed without a new config. */
const RETRY_MS = Number(process.env.EDGE_STATUS_PAGE_RETRY_S ?? 60) * 1000;

/**
 * The technician's status page when enabled; new settings rebind it live. It is optional: when it
 * cannot start (its port taken, its password secret unreadable) the agent runs without it, logs the
 * code, reports it in health (`degraded`) and tries again every minute.
 */
export class StatusPageSubsystem implements Subsystem {
  readonly name = 'statusPage';
  private server?: StatusPageServer;
  private running = false;
  private problem?: ErrorInfo;
  private retry?: NodeJS.Timeout;

  constructor(private readonly deps: StatusPageDeps) {}

  /** Why the status page is not serving although enabled, for health. */
  degraded(): ErrorInfo | undefined {
    return this.problem;
  }

  async start(): Promise<void> {
    this.running = true;
    await this.tryStart();
  }

  async stop(): Promise<void> {
    this.running = false;
    clearTimeout(this.retry);
    this.problem = undefined;
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

  private async tryStart(): Promise<void> {
    const { config, gatewayId, source, logger } = this.deps;
    const sp = config().statusPage;
    if (!sp.enabled || !this.running) return;
    try {
      const password = resolveSecret(sp.password);
      if (!password) throw new AgentError('STATUS_PAGE_NO_PASSWORD', 'the status page is enabled without a password', 'set statusPage.password');
      const server = new StatusPageServer({ host: sp.host, port: sp.port, password, gatewayId, source, logger });
      const port = await startServer(server, sp.host, sp.port);
      if (!this.running) return void (await server.stop());
      this.server = server;
      this.problem = undefined;
      logger.info({ host: sp.host, port }, 'status page listening');
    } catch (err) {
      this.problem = toErrorInfo(err, 'STATUS_PAGE_UNAVAILABLE');
      logger.error({ err: this.problem, retryInS: RETRY_MS / 1000 }, 'status page not started; the agent runs without it');
      clearTimeout(this.retry);
      this.retry = setTimeout(() => void this.tryStart(), RETRY_MS);
      this.retry.unref();
    }
  }
}

/** Binding errors (EADDRINUSE, EACCES) as STATUS_PAGE_UNAVAILABLE with the address in the message. */
async function startServer(server: StatusPageServer, host: string, port: number): Promise<number> {
  try {
    return await server.start();
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'error';
    throw new AgentError('STATUS_PAGE_UNAVAILABLE', `cannot listen on ${host}:${port} (${code})`, 'free the port or set another statusPage.port', { cause: err });
  }
}
