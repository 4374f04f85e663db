/**
 * The agent's one retry back-off (camera restarts, broker reconnects): capped exponential with
 * jitter. initialMs, 2x, 4x ... up to maxMs, each scaled by a random 0.75..1.25 (never above maxMs),
 * so cameras or gateways that failed together (a switch reboot, a broker restart) do not all retry
 * in the same instant.
 */
export function backoffDelay(attempt: number, initialMs: number, maxMs: number, random: () => number = Math.random): number {
  const base = Math.min(maxMs, initialMs * 2 ** Math.min(attempt, 30));
  return Math.round(Math.min(maxMs, base * (0.75 + random() * 0.5)));
}

/** backoffDelay with its attempt counter: `next()` after each failure, `reset()` once connected. */
export class Backoff {
  private attempt = 0;

  constructor(private readonly initialMs: number, private readonly maxMs: number, private readonly random: () => number = Math.random) {}

  next(): number {
    return backoffDelay(this.attempt++, this.initialMs, this.maxMs, this.random);
  }

  reset(): void {
    this.attempt = 0;
  }
}
