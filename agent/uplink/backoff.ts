/**
 * Exponential reconnect back-off with jitter between min and max, so a fleet of gateways that lost
 * the broker at the same moment does not reconnect in lock-step.
 */
export class Backoff {
  private attempt = 0;

  constructor(private readonly minMs: number, private readonly maxMs: number) {}

  next(): number {
    const base = Math.min(this.maxMs, this.minMs * 2 ** Math.min(this.attempt, 30));
    this.attempt++;
    // Full jitter in the upper half keeps the delay within [base/2, base] and never below min.
    return Math.max(this.minMs, Math.round(base / 2 + Math.random() * (base / 2)));
  }

  reset(): void {
    this.attempt = 0;
  }
}
