/**
 * Binary dilation by a (2n+1)x(2n+1) square — the same as n iterations of a 3x3 dilation — as two
 * sliding-window passes (rows, then columns through per-column counters), so the cost does not grow
 * with n. Joins the fragments of one moving object into one region. Buffers are allocated once.
 */
export class Dilate {
  private readonly tmp: Uint8Array;
  private readonly colCount: Int32Array;

  constructor(
    readonly w: number,
    readonly h: number,
    readonly n: number,
  ) {
    this.tmp = new Uint8Array(w * h);
    this.colCount = new Int32Array(w);
  }

  /** src and dst hold 0/1; they must be different buffers. */
  apply(src: Uint8Array, dst: Uint8Array): void {
    const { w, h, n, tmp, colCount } = this;
    if (n === 0) {
      dst.set(src.subarray(0, w * h));
      return;
    }
    for (let y = 0; y < h; y++) {
      const row = y * w;
      let count = 0;
      for (let x = 0; x < n && x < w; x++) count += src[row + x];
      for (let x = 0; x < w; x++) {
        if (x + n < w) count += src[row + x + n];
        if (x - n - 1 >= 0) count -= src[row + x - n - 1];
        tmp[row + x] = count > 0 ? 1 : 0;
      }
    }
    colCount.fill(0);
    for (let y = 0; y < n && y < h; y++) {
      const row = y * w;
      for (let x = 0; x < w; x++) colCount[x] += tmp[row + x];
    }
    for (let y = 0; y < h; y++) {
      const add = y + n < h ? (y + n) * w : -1;
      const sub = y - n - 1 >= 0 ? (y - n - 1) * w : -1;
      const row = y * w;
      for (let x = 0; x < w; x++) {
        let c = colCount[x];
        if (add >= 0) c += tmp[add + x];
        if (sub >= 0) c -= tmp[sub + x];
        colCount[x] = c;
        dst[row + x] = c > 0 ? 1 : 0;
      }
    }
  }
}
