/**
 * Per-pixel median of the frames seen while calibrating: the background a calibration ends with.
 * A running average started from one frame keeps a ghost of whatever moved in that frame and
 * smears whatever moves during calibration; the median over the window drops anything that covered
 * a pixel in fewer than half of the frames. Storage is allocated once for `capacity` frames.
 */
export class TemporalMedian {
  private readonly stack: Uint8Array;
  private readonly scratch: Uint8Array;
  private count = 0;

  constructor(
    readonly size: number,
    readonly capacity: number,
  ) {
    this.stack = new Uint8Array(size * capacity);
    this.scratch = new Uint8Array(capacity);
  }

  reset(): void {
    this.count = 0;
  }

  /** Keeps `plane`; once full, further frames are ignored. */
  add(plane: Uint8Array): void {
    if (this.count >= this.capacity) return;
    this.stack.set(plane.subarray(0, this.size), this.count * this.size);
    this.count++;
  }

  /** Writes the lower median of the kept frames into `out` (does nothing when none were kept). */
  medianInto(out: Float32Array): void {
    const { size, count, stack, scratch } = this;
    if (count === 0) return;
    const mid = (count - 1) >> 1;
    for (let i = 0; i < size; i++) {
      // Insertion sort of a handful of values beats anything cleverer here.
      for (let k = 0; k < count; k++) {
        const v = stack[k * size + i];
        let j = k - 1;
        while (j >= 0 && scratch[j] > v) {
          scratch[j + 1] = scratch[j];
          j--;
        }
        scratch[j + 1] = v;
      }
      out[i] = scratch[mid];
    }
  }
}
