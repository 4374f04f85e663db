import { readFileSync } from 'node:fs';
import path from 'node:path';
import { AgentError } from '../core/errors.js';
import { writeFileAtomic } from './atomic-file.js';

/**
 * Refuses a signed command seen before: each carries a timestamp and a nonce; the timestamp must be
 * within the clock-skew window and the nonce unseen within it. Nonces are kept (and persisted under
 * dataDir, so a replayed `restart` cannot loop the box) until their timestamp leaves the window.
 */
export class ReplayGuard {
  private readonly seen = new Map<string, number>();
  private readonly file: string;

  constructor(dataDir: string, private readonly skewMs: () => number, private readonly maxEntries = 10000) {
    this.file = path.join(dataDir, 'provisioning', 'nonces.json');
    try {
      const stored = JSON.parse(readFileSync(this.file, 'utf8')) as Record<string, number>;
      for (const [n, ts] of Object.entries(stored)) if (typeof ts === 'number') this.seen.set(n, ts);
    } catch { /* none yet, or unreadable: the timestamp window still bounds replays */ }
  }

  /** Throws COMMAND_STALE / COMMAND_REPLAYED / COMMAND_NONCE_FLOOD; records the nonce when accepted. */
  check(nonce: string, tsMs: number, now = Date.now()): void {
    const skew = this.skewMs();
    if (!Number.isFinite(tsMs) || Math.abs(now - tsMs) > skew) {
      throw new AgentError('COMMAND_STALE', `command timestamp is more than ${skew / 1000} s from the gateway clock`, 'check NTP on the gateway and the operator machine; sign a fresh command');
    }
    this.prune(now);
    if (this.seen.has(nonce)) throw new AgentError('COMMAND_REPLAYED', 'this command (nonce) was already executed', 'sign a fresh command with a new nonce');
    if (this.seen.size >= this.maxEntries) throw new AgentError('COMMAND_NONCE_FLOOD', 'too many signed commands within the clock-skew window', 'retry later');
    this.seen.set(nonce, tsMs);
    writeFileAtomic(this.file, JSON.stringify(Object.fromEntries(this.seen)), 0o600);
  }

  private prune(now: number): void {
    const skew = this.skewMs();
    for (const [n, ts] of this.seen) if (now - ts > skew) this.seen.delete(n);
  }
}
