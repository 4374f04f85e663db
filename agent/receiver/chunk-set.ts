/**
 * Which chunk indices of one transfer are on disk: a bitmap grown to the highest index seen (the
 * receiver caps indices, so at most maxChunks / 8 bytes), with a running count. Each chunk costs
 * O(1); nothing rebuilds a list of what is missing per message (a meta claiming 10^6 chunks would
 * otherwise make every 1-byte chunk scan a million entries).
 */
export class ChunkSet {
  private bits = new Uint8Array(0);
  private n = 0;
  /** Highest index present, -1 when empty. */
  max = -1;

  get size(): number {
    return this.n;
  }

  has(index: number): boolean {
    const byte = index >> 3;
    return byte < this.bits.length && (this.bits[byte] & (1 << (index & 7))) !== 0;
  }

  /** Adds an index; false when it was already there. */
  add(index: number): boolean {
    if (this.has(index)) return false;
    const byte = index >> 3;
    if (byte >= this.bits.length) {
      const grown = new Uint8Array(Math.max(byte + 1, this.bits.length * 2));
      grown.set(this.bits);
      this.bits = grown;
    }
    this.bits[byte] |= 1 << (index & 7);
    this.n++;
    this.max = Math.max(this.max, index);
    return true;
  }

  /** Complete when indices 0..count-1 are all there and nothing beyond (distinct indices, so a count says it). */
  isComplete(count: number): boolean {
    return this.max < count && this.n === count;
  }

  /** The first index below `count` not present (for a report; runs once per transfer, not per chunk). */
  firstMissing(count: number): number | undefined {
    for (let i = 0; i < count; i++) if (!this.has(i)) return i;
    return undefined;
  }

  /** How many of 0..count-1 are missing. */
  missingBelow(count: number): number {
    let present = 0;
    for (let i = 0; i < count; i++) if (this.has(i)) present++;
    return count - present;
  }
}
