/**
 * One gateway's event numbering: the highest and lowest seq seen, how many in between are missing, and
 * which recent seqs arrived (to tell a late arrival from a repeat). Only the last `window` seqs below the
 * highest are remembered, so memory stays bounded however long the gateway runs; a seq older than that
 * is taken as already seen (neither late nor counted).
 */
export class SeqTracker {
  lowest: number;
  highest: number;
  /** Seqs between lowest and highest never seen (less any that fell out of the window unseen and came later). */
  missing = 0;
  private readonly seen = new Set<number>();

  constructor(first: number, private readonly window: number) {
    this.lowest = first;
    this.highest = first;
    this.seen.add(first);
  }

  /** Notes one seq; says where a gap starts (the seq jumped) or that it filled one (late). */
  note(seq: number): { gapFrom?: number; late: boolean } {
    if (seq > this.highest) {
      const gapFrom = seq > this.highest + 1 ? this.highest + 1 : undefined;
      this.missing += seq - this.highest - 1;
      this.highest = seq;
      this.seen.add(seq);
      this.prune();
      return { gapFrom, late: false };
    }
    if (seq < this.highest - this.window || this.seen.has(seq)) return { late: false };
    this.seen.add(seq);
    if (seq < this.lowest) {
      this.missing += this.lowest - seq - 1;
      this.lowest = seq;
    } else {
      this.missing -= 1;
    }
    return { late: true };
  }

  /** Forgets seqs that left the window, in batches (amortised O(1) per seq). */
  private prune(): void {
    if (this.seen.size <= 2 * this.window) return;
    const floor = this.highest - this.window;
    for (const s of this.seen) if (s < floor) this.seen.delete(s);
  }
}
