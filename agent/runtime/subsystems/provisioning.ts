import type { AgentConfig } from '../../config/schema/index.js';
import type { ApplyOutcome, Subsystem } from '../../core/subsystem.js';
import { ProvisioningService, type ProvisioningServiceOptions } from '../../provisioning/provisioning-service.js';

/**
 * Signed desired configs and commands. Built at its first start (it reads last-good, the trust
 * store and the replay floor from disk). It takes every config live: it reads its settings from the
 * config it applies, and loads that config's trust store itself when the apply succeeds.
 */
export class ProvisioningSubsystem implements Subsystem {
  readonly name = 'provisioning';
  private service?: ProvisioningService;

  constructor(private readonly options: () => ProvisioningServiceOptions) {}

  /** For `status` and `health`: what runs and how the last push went. */
  status(): ReturnType<ProvisioningService['status']> | undefined {
    return this.service?.status();
  }

  async start(): Promise<void> {
    this.service ??= new ProvisioningService(this.options());
    await this.service.start();
  }

  async stop(): Promise<void> {
    await this.service?.stop();
  }

  async apply(_next: AgentConfig, _prev: AgentConfig): Promise<ApplyOutcome> {
    return 'live';
  }
}
