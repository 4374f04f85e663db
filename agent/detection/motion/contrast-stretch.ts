/**
 * Contrast stretch between the running means of the 4th and 96th luma percentiles (Frigate's
 * "improve contrast"): a dull, hazy or dark scene gets the same 0-255 spread as a crisp one, so one
 * difference threshold works for both. Averaging the percentiles over many frames keeps a bright
 * object entering the view from re-mapping the whole background at once. The stretch is limited to
 * 255/minRange so a flat scene (an empty car park) does not amplify sensor and compression noise
 * into motion.
 */
export class ContrastStretch {
  private readonly lows: Float64Array;
  private readonly highs: Float64Array;
  private next = 0;
  private sumLow = 0;
  private sumHigh = 0;
  private seeded = false;
  private low = 0;
  private scale = 1;

  constructor(
    private readonly enabled: boolean,
    historyFrames: number,
    private readonly minRange: number,
  ) {
    this.lows = new Float64Array(historyFrames);
    this.highs = new Float64Array(historyFrames);
  }

  /**
   * Adds this frame's percentiles to the history. `reset` replaces the whole history with this
   * frame (start-up, and after a lighting change).
   */
  update(low: number, high: number, reset: boolean): void {
    if (!this.enabled) return;
    // A single-colour frame (lens covered, black screen) says nothing about the scene's contrast.
    if (low < high) this.push(low, high, reset || !this.seeded);
    if (!this.seeded) return;
    const len = this.lows.length;
    let lo = this.sumLow / len;
    let hi = this.sumHigh / len;
    if (hi - lo < this.minRange) {
      const mid = (lo + hi) / 2;
      lo = mid - this.minRange / 2;
      hi = mid + this.minRange / 2;
    }
    this.low = lo;
    this.scale = 255 / (hi - lo);
  }

  /** Stretched value (0..255) of a luma value. */
  map(v: number): number {
    const s = (v - this.low) * this.scale;
    return s <= 0 ? 0 : s >= 255 ? 255 : s | 0;
  }

  private push(low: number, high: number, fill: boolean): void {
    const len = this.lows.length;
    if (fill) {
      this.lows.fill(low);
      this.highs.fill(high);
      this.sumLow = low * len;
      this.sumHigh = high * len;
      this.seeded = true;
      return;
    }
    this.sumLow += low - this.lows[this.next];
    this.sumHigh += high - this.highs[this.next];
    this.lows[this.next] = low;
    this.highs[this.next] = high;
    this.next = (this.next + 1) % len;
  }
}
