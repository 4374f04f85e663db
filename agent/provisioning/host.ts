import type { AgentConfig } from '../config/schema/index.js';

/** JSON data a command answers with (`data` of the response). */
export type CommandData = Record<string, unknown>;

export interface HealthVerdict {
  ok: boolean;
  /** Why not, for `reported.error` (e.g. "camera cam-2 not streaming"). Never holds a secret. */
  reason?: string;
}

/**
 * What provisioning needs from the running agent (implemented by agent/runtime/). Kept narrow so
 * provisioning never reaches into ingest, uplink or clips internals.
 */
export interface ProvisioningHost {
  /**
   * Switch to `config`: what can change live does (a changed camera stops, then starts on its new
   * settings; unchanged ones keep streaming); settings read only at start restart the agent
   * in-process. Also used to roll back (with the last good config). Rejects when it cannot start.
   */
  applyConfig(config: AgentConfig): Promise<void>;
  /** Is the configuration now running healthy (cameras streaming, broker reachable)? */
  isHealthy(): Promise<HealthVerdict>;
  /** Runtime state until the next applied config; the running (pushed) config and its hash stay as they are. */
  setCameraEnabled(cameraId: string, enabled: boolean): Promise<void>;
  /** Take a snapshot now; answer with where it went (e.g. its file id in the file transfer). */
  snapshot(cameraId: string): Promise<CommandData>;
  /** Cut a clip from local recordings and send it; answer with its id/size. */
  requestClip(cameraId: string, fromMs: number, toMs: number): Promise<CommandData>;
  diag(): Promise<CommandData>;
  /** Restart the agent in-process on its startup config. Called after the answer was sent. */
  restart(): Promise<void>;
}
