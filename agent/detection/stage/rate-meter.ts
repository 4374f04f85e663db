/** Events per second over a sliding window (e.g. frames actually detected per second). */
export class RateMeter {
  private readonly marks: number[] = [];

  constructor(private readonly windowMs = 10000) {}

  mark(now: number): void {
    this.marks.push(now);
    this.trim(now);
  }

  rate(now: number): number {
    this.trim(now);
    if (this.marks.length < 2) return 0;
    const span = Math.max(now - this.marks[0], 1);
    return Math.round(((this.marks.length - 1) * 1000 * 100) / span) / 100;
  }

  private trim(now: number): void {
    while (this.marks.length > 0 && now - this.marks[0] > this.windowMs) this.marks.shift();
  }
}
