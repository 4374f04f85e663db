import { readFileSync } from 'node:fs';
import path from 'node:path';
import { AgentError } from '../core/errors.js';
import { writeFileAtomic } from '../core/atomic-file.js';

interface Seen {
  /** Signer (key id); '' for nonces kept by an agent before signers were recorded. */
  kid: string;
  ts: number;
}

interface StoredState {
  /** Per signer: the highest command time (ms) accepted from it. */
  highest: Record<string, number>;
  nonces: Record<string, Seen>;
}

/**
 * Refuses a signed command seen before, even when the gateway clock goes back (no RTC, spoofed NTP).
 * Each command carries a time and a nonce: the time must be within the clock-skew window of the
 * gateway clock AND not older than the skew below the newest command already accepted from the same
 * signer (that high-water mark does not move back with the clock); the nonce must be unseen. A nonce
 * is forgotten only once the signer's high-water mark has left it behind by more than the skew — from
 * then on the mark refuses it — never because the wall clock says so. All of it is persisted under
 * dataDir, so a replayed `restart` cannot loop the box and a restart does not reopen the window.
 */
export class ReplayGuard {
  private readonly highest = new Map<string, number>();
  private readonly seen = new Map<string, Seen>();
  private readonly file: string;

  constructor(dataDir: string, private readonly skewMs: () => number, private readonly now: () => number = Date.now, private readonly maxEntries = 10000) {
    this.file = path.join(dataDir, 'provisioning', 'nonces.json');
    this.load();
  }

  /** Throws COMMAND_STALE / COMMAND_OUT_OF_ORDER / COMMAND_REPLAYED / COMMAND_NONCE_FLOOD; records the command when accepted. */
  check(kid: string, nonce: string, tsMs: number): void {
    const skew = this.skewMs();
    const now = this.now();
    if (!Number.isFinite(tsMs) || Math.abs(now - tsMs) > skew) {
      throw new AgentError('COMMAND_STALE', `command timestamp is more than ${skew / 1000} s from the gateway clock`, 'check NTP on the gateway and the operator machine; sign a fresh command');
    }
    const highest = this.highest.get(kid) ?? -Infinity;
    if (tsMs < highest - skew) {
      throw new AgentError('COMMAND_OUT_OF_ORDER', `command was signed more than ${skew / 1000} s before the newest command already accepted from this key (was the gateway clock set back?)`, 'sign a fresh command; check NTP on the gateway');
    }
    this.prune(now, skew);
    if (this.seen.has(nonce)) throw new AgentError('COMMAND_REPLAYED', 'this command (nonce) was already executed', 'sign a fresh command with a new nonce');
    if (this.seen.size >= this.maxEntries) throw new AgentError('COMMAND_NONCE_FLOOD', 'too many signed commands within the clock-skew window', 'retry later');
    this.seen.set(nonce, { kid, ts: tsMs });
    this.highest.set(kid, Math.max(highest, tsMs));
    const state: StoredState = { highest: Object.fromEntries(this.highest), nonces: Object.fromEntries(this.seen) };
    writeFileAtomic(this.file, JSON.stringify(state), 0o600);
  }

  private prune(now: number, skew: number): void {
    for (const [n, s] of this.seen) {
      // Nonces from before signers were recorded have no mark: they go by the clock, as they used to.
      const mark = s.kid === '' ? now : this.highest.get(s.kid);
      if (mark !== undefined && mark - s.ts > skew) this.seen.delete(n);
    }
  }

  private load(): void {
    let stored: unknown;
    try {
      stored = JSON.parse(readFileSync(this.file, 'utf8'));
    } catch {
      return; // none yet, or unreadable: the timestamp window still bounds replays
    }
    if (!stored || typeof stored !== 'object') return;
    const s = stored as Partial<StoredState> & Record<string, unknown>;
    if (s.highest && typeof s.highest === 'object' && s.nonces && typeof s.nonces === 'object') {
      for (const [kid, ts] of Object.entries(s.highest)) if (typeof ts === 'number') this.highest.set(kid, ts);
      for (const [n, v] of Object.entries(s.nonces)) if (v && typeof v.kid === 'string' && typeof v.ts === 'number') this.seen.set(n, { kid: v.kid, ts: v.ts });
      return;
    }
    // The earlier format: { nonce: ts }.
    for (const [n, ts] of Object.entries(s)) if (typeof ts === 'number') this.seen.set(n, { kid: '', ts });
  }
}
