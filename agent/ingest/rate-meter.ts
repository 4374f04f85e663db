/** Events per second over a sliding window (frames in, frames processed). */
export class RateMeter {
  private stamps: number[] = [];

  constructor(private readonly windowMs = 5000) {}

  mark(now = Date.now()): void {
    this.stamps.push(now);
    this.trim(now);
  }

  rate(now = Date.now()): number {
    this.trim(now);
    if (this.stamps.length < 2) return this.stamps.length === 1 ? 1000 / this.windowMs : 0;
    const span = Math.max(now - this.stamps[0], 1000);
    return Math.round((this.stamps.length / span) * 1000 * 100) / 100;
  }

  private trim(now: number): void {
    const cutoff = now - this.windowMs;
    let i = 0;
    while (i < this.stamps.length && this.stamps[i] < cutoff) i++;
    if (i) this.stamps.splice(0, i);
  }
}
