/**
 * Events per second over a sliding window (frames in from a camera, frames through detection): the
 * intervals between the marks in the window over the time from the first of them to now, so a steady
 * 5 fps reads 5 (not 5 + 1/window) and the rate decays once the marks stop.
 */
export class RateMeter {
  private readonly marks: number[] = [];

  constructor(private readonly windowMs = 5000) {}

  mark(now = Date.now()): void {
    this.marks.push(now);
    this.trim(now);
  }

  rate(now = Date.now()): number {
    this.trim(now);
    if (this.marks.length < 2) return 0;
    const span = Math.max(now - this.marks[0], 1);
    return Math.round(((this.marks.length - 1) * 1000 * 100) / span) / 100;
  }

  private trim(now: number): void {
    let i = 0;
    while (i < this.marks.length && now - this.marks[i] > this.windowMs) i++;
    if (i) this.marks.splice(0, i);
  }
}
