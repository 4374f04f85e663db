/** 256-bin histogram of the unmasked pixels, with percentile look-ups; reused every frame. */
export class LumaHistogram {
  readonly bins = new Uint32Array(256);
  count = 0;

  fill(pixels: Uint8Array, masked: Uint8Array): void {
    const bins = this.bins;
    bins.fill(0);
    let n = 0;
    for (let i = 0; i < pixels.length; i++) {
      if (masked[i] === 0) {
        bins[pixels[i]]++;
        n++;
      }
    }
    this.count = n;
  }

  /** Same, for a float plane (the background), rounding each value. */
  fillFloat(pixels: Float32Array, masked: Uint8Array): void {
    const bins = this.bins;
    bins.fill(0);
    let n = 0;
    for (let i = 0; i < pixels.length; i++) {
      if (masked[i] === 0) {
        bins[(pixels[i] + 0.5) | 0]++;
        n++;
      }
    }
    this.count = n;
  }

  /** The value at fraction q (0..1) of the sorted samples (nearest rank); 0 when empty. */
  percentile(q: number): number {
    if (this.count === 0) return 0;
    const k = Math.min(this.count - 1, Math.max(0, Math.round(q * (this.count - 1))));
    let cum = 0;
    for (let v = 0; v < 256; v++) {
      cum += this.bins[v];
      if (cum > k) return v;
    }
    return 255;
  }
}
