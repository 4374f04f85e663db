import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { validateConfig } from '../config/validate.js';
import type { AppliedRename } from '../config/migrate.js';
import type { AgentConfig } from '../config/schema/index.js';
import { AgentError } from '../core/errors.js';
import { writeFileAtomic } from '../core/atomic-file.js';
import { configHash } from './config-hash.js';

export interface LastGoodConfig {
  /** Desired-config version it came from; 0 for the config file the agent started on. */
  version: number;
  config: AgentConfig;
  configHash: string;
  savedAt: string;
  /** Keys an older agent version wrote under old names, moved on load (agent/config/migrate.ts). */
  renamed: AppliedRename[];
}

interface ProvisioningState {
  /** Highest desired version used up (applied, rolled back, or addressed here and rejected for a reason that will not change); the retained copy of it is not re-handled. */
  lastHandledVersion: number;
}

/**
 * The last known good configuration on disk (`<dataDir>/provisioning/last-good.json`, 0600, written
 * atomically), and the one before it (`last-good.previous.json`): start-up falls back to it when the
 * newest will not load or keeps failing to boot (agent/runtime/startup-config.ts). It may hold
 * decrypted secrets: it sits beside the gateway key that decrypts them, with the same protection.
 */
export class LastGoodConfigStore {
  readonly file: string;
  readonly previousFile: string;
  private readonly stateFile: string;

  constructor(dataDir: string) {
    this.file = path.join(dataDir, 'provisioning', 'last-good.json');
    this.previousFile = path.join(dataDir, 'provisioning', 'last-good.previous.json');
    this.stateFile = path.join(dataDir, 'provisioning', 'state.json');
  }

  /** The stored last-good config, or undefined when there is none. Throws when it exists but is corrupt. */
  load(): LastGoodConfig | undefined {
    return this.read(this.file);
  }

  /** The last-good config before the current one (same rules as load). */
  loadPrevious(): LastGoodConfig | undefined {
    return this.read(this.previousFile);
  }

  /**
   * Keeps `config` as last-good; the one it replaces becomes the previous. Copied, not moved: a
   * failed write leaves the current last-good in place.
   */
  save(version: number, config: AgentConfig): void {
    if (isFile(this.file)) writeFileAtomic(this.previousFile, readFileSync(this.file), 0o600);
    writeFileAtomic(this.file, JSON.stringify({ version, savedAt: new Date().toISOString(), config }, null, 2) + '\n', 0o600);
  }

  private read(file: string): LastGoodConfig | undefined {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw new AgentError('LAST_GOOD_UNREADABLE', `cannot read ${file}: ${(err as Error).message}`, 'check that gateway.dataDir is readable by the agent user', { cause: err });
    }
    try {
      const stored = JSON.parse(text) as { version: unknown; config: unknown; savedAt?: unknown };
      const result = validateConfig(stored.config);
      if (!result.ok) throw new Error(result.problems.map((p) => `${p.path}: ${p.reason}`).join('; '));
      if (typeof stored.version !== 'number') throw new Error('no version');
      return { version: stored.version, config: result.config, configHash: configHash(result.config), savedAt: String(stored.savedAt ?? ''), renamed: result.renamed };
    } catch (err) {
      throw new AgentError('LAST_GOOD_CORRUPT', `${file} is not a valid last-good config (${(err as Error).message})`, 'the agent starts on the next config in line (previous last-good, config file, bootstrap); push a new desired config', { cause: err });
    }
  }

  /**
   * The anti-replay floor: the highest desired-config version this gateway has used up. state.json
   * holds it (written before every last-good, so never below theirs); without it (removed, or an
   * agent from before it) the last-good files vouch for their versions. A file that exists but does
   * not read throws PROVISIONING_STATE_UNREADABLE: a floor guessed low would take an old config again.
   */
  versionFloor(): number {
    const handled = readVersion(this.stateFile, 'lastHandledVersion');
    if (handled !== undefined) return handled;
    return Math.max(readVersion(this.file, 'version') ?? 0, readVersion(this.previousFile, 'version') ?? 0);
  }

  setLastHandledVersion(version: number): void {
    writeFileAtomic(this.stateFile, JSON.stringify({ lastHandledVersion: version } satisfies ProvisioningState) + '\n', 0o600);
  }
}

/** The whole number under `key` in a JSON file; undefined when the file does not exist. */
function readVersion(file: string, key: string): number | undefined {
  let problem: string;
  try {
    const value: unknown = (JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown> | null)?.[key];
    if (typeof value === 'number' && Number.isInteger(value) && value >= 0) return value;
    problem = `no ${key} in it`;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    problem = (err as Error).message;
  }
  throw new AgentError(
    'PROVISIONING_STATE_UNREADABLE',
    `cannot read the highest desired-config version used from ${file} (${problem})`,
    'check the storage and that file; state.json may be rewritten as {"lastHandledVersion": N}, N the highest version pushed to this gateway',
  );
}

function isFile(file: string): boolean {
  try {
    return statSync(file).isFile();
  } catch {
    return false;
  }
}
