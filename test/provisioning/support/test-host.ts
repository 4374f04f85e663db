import type { AgentConfig } from '../../../agent/config/schema/index.js';
import type { CommandData, HealthVerdict, ProvisioningHost } from '../../../agent/provisioning/host.js';

/**
 * A small real ProvisioningHost: it "runs" whatever config it was last given, and is healthy unless
 * that config has a camera the test marked as broken — so rollback is driven by the config itself.
 */
export class TestHost implements ProvisioningHost {
  readonly applied: AgentConfig[] = [];
  readonly enabledCalls: Array<{ camera: string; enabled: boolean }> = [];
  restarts = 0;
  current: AgentConfig;
  /** Runs inside applyConfig, to make something happen mid-apply (e.g. the broker going away). */
  onApply?: (config: AgentConfig) => Promise<void>;

  constructor(initial: AgentConfig, private readonly brokenCameraIds: ReadonlySet<string> = new Set(['broken'])) {
    this.current = initial;
  }

  async applyConfig(config: AgentConfig): Promise<void> {
    this.applied.push(structuredClone(config));
    this.current = config;
    await this.onApply?.(config);
  }

  async isHealthy(): Promise<HealthVerdict> {
    const broken = this.current.cameras.find((c) => this.brokenCameraIds.has(c.id));
    return broken ? { ok: false, reason: `camera ${broken.id} not streaming` } : { ok: true };
  }

  async setCameraEnabled(cameraId: string, enabled: boolean): Promise<void> {
    this.enabledCalls.push({ camera: cameraId, enabled });
  }

  async snapshot(cameraId: string): Promise<CommandData> {
    return { camera: cameraId, snapshotId: `snap-${cameraId}` };
  }

  async requestClip(cameraId: string, fromMs: number, toMs: number): Promise<CommandData> {
    return { camera: cameraId, fromMs, toMs };
  }

  async diag(): Promise<CommandData> {
    return { checks: [{ name: 'test', ok: true }] };
  }

  async restart(): Promise<void> {
    this.restarts++;
  }
}
