import { readFileSync } from 'node:fs';
import path from 'node:path';
import { writeFileAtomic } from '../core/atomic-file.js';

/** Boots of one config that never became stable before it is passed over for the next in line. */
export const MAX_BOOT_ATTEMPTS = 3;

/**
 * How many boots of each start-up config (by source and content) began without becoming stable
 * (`<dataDir>/provisioning/boot-attempts.json`): a config that crashes or hangs the agent after it
 * started (the supervisor restarts it) is passed over after MAX_BOOT_ATTEMPTS, so a restart loop ends
 * on a config that runs. Counted before the start (a crash cannot skip it), cleared once stable.
 */
export class BootAttempts {
  private readonly file: string;

  constructor(dataDir: string) {
    this.file = path.join(dataDir, 'provisioning', 'boot-attempts.json');
  }

  failures(key: string): number {
    return this.read()[key] ?? 0;
  }

  /** Counts a boot of `key` beginning; returns its number (1 = first try). */
  begin(key: string): number {
    const counts = this.read();
    counts[key] = (counts[key] ?? 0) + 1;
    this.write(counts);
    return counts[key];
  }

  /** `key` failed in a way another boot would repeat (its start threw): pass it over from now on. */
  giveUp(key: string): void {
    this.write({ ...this.read(), [key]: MAX_BOOT_ATTEMPTS });
  }

  /** `key` ran stable (or stopped cleanly): its count starts again from zero. */
  succeeded(key: string): void {
    const counts = this.read();
    if (!(key in counts)) return;
    delete counts[key];
    this.write(counts);
  }

  private read(): Record<string, number> {
    try {
      const parsed = JSON.parse(readFileSync(this.file, 'utf8')) as unknown;
      if (!parsed || typeof parsed !== 'object') return {};
      return Object.fromEntries(Object.entries(parsed).filter((e): e is [string, number] => typeof e[1] === 'number'));
    } catch {
      return {}; // none yet, or torn: counting starts again, which at worst retries a config once more
    }
  }

  private write(counts: Record<string, number>): void {
    writeFileAtomic(this.file, JSON.stringify(counts) + '\n', 0o600);
  }
}
