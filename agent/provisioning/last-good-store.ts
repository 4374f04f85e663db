import { readFileSync } from 'node:fs';
import path from 'node:path';
import { validateConfig } from '../config/validate.js';
import type { AgentConfig } from '../config/schema/index.js';
import { AgentError } from '../core/errors.js';
import { writeFileAtomic } from './atomic-file.js';
import { configHash } from './config-hash.js';

export interface LastGoodConfig {
  /** Desired-config version it came from; 0 for the config file the agent started on. */
  version: number;
  config: AgentConfig;
  configHash: string;
  savedAt: string;
}

interface ProvisioningState {
  /** Highest desired version used up (applied, rolled back, or addressed here and rejected for a reason that will not change); the retained copy of it is not re-handled. */
  lastHandledVersion: number;
}

/**
 * The last known good configuration on disk (`<dataDir>/provisioning/last-good.json`, 0600, written
 * atomically). Precedence at start-up: when it exists it wins over the config file, so a gateway
 * that was provisioned (or rolled back) comes up on what last ran healthy. It may hold decrypted
 * secrets: it sits beside the gateway key that decrypts them, with the same protection.
 */
export class LastGoodConfigStore {
  readonly file: string;
  private readonly stateFile: string;

  constructor(dataDir: string) {
    this.file = path.join(dataDir, 'provisioning', 'last-good.json');
    this.stateFile = path.join(dataDir, 'provisioning', 'state.json');
  }

  /** The stored last-good config, or undefined when there is none. Throws when it exists but is corrupt. */
  load(): LastGoodConfig | undefined {
    let text: string;
    try {
      text = readFileSync(this.file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw new AgentError('LAST_GOOD_UNREADABLE', `cannot read ${this.file}: ${(err as Error).message}`, 'check that gateway.dataDir is readable by the agent user', { cause: err });
    }
    try {
      const stored = JSON.parse(text) as { version: unknown; config: unknown; savedAt?: unknown };
      const result = validateConfig(stored.config);
      if (!result.ok || typeof stored.version !== 'number') throw new Error('schema');
      return { version: stored.version, config: result.config, configHash: configHash(result.config), savedAt: String(stored.savedAt ?? '') };
    } catch (err) {
      throw new AgentError('LAST_GOOD_CORRUPT', `${this.file} is not a valid last-good config`, `remove ${this.file} to start on the config file`, { cause: err });
    }
  }

  save(version: number, config: AgentConfig): void {
    writeFileAtomic(this.file, JSON.stringify({ version, savedAt: new Date().toISOString(), config }, null, 2) + '\n', 0o600);
  }

  lastHandledVersion(): number {
    try {
      const s = JSON.parse(readFileSync(this.stateFile, 'utf8')) as Partial<ProvisioningState>;
      return typeof s.lastHandledVersion === 'number' ? s.lastHandledVersion : 0;
    } catch {
      return 0;
    }
  }

  setLastHandledVersion(version: number): void {
    writeFileAtomic(this.stateFile, JSON.stringify({ lastHandledVersion: version } satisfies ProvisioningState) + '\n', 0o600);
  }
}
