/**
 * Capped exponential back-off with jitter: initialMs, 2x, 4x ... up to maxMs, each scaled by a random
 * 0.75..1.25 so cameras that failed together (a switch reboot) do not all reconnect in the same instant.
 */
export function backoffDelay(attempt: number, initialMs: number, maxMs: number, random: () => number = Math.random): number {
  const base = Math.min(maxMs, initialMs * 2 ** Math.min(attempt, 30));
  return Math.round(Math.min(maxMs, base * (0.75 + random() * 0.5)));
}
