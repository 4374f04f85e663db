/** Upload bandwidth cap (bytes/s); a rate of 0 means no cap. Burst is one second of rate. */
export class TokenBucket {
  private tokens: number;
  private last = Date.now();

  constructor(private readonly rate: number) {
    this.tokens = rate;
  }

  get capped(): boolean {
    return this.rate > 0;
  }

  /** Waits until `bytes` may be sent. A message bigger than the burst waits for its full share. */
  async take(bytes: number): Promise<void> {
    if (this.rate <= 0) return;
    this.refill();
    this.tokens -= bytes;
    if (this.tokens < 0) await new Promise((r) => setTimeout(r, Math.ceil((-this.tokens / this.rate) * 1000)));
  }

  private refill(): void {
    const now = Date.now();
    this.tokens = Math.min(this.rate, this.tokens + ((now - this.last) / 1000) * this.rate);
    this.last = now;
  }
}
