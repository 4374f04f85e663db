/**
 * Separable Gaussian blur (sigma 1, truncated at `radius`) on an 8-bit plane in 8.8 fixed point,
 * with mirrored edges (edge pixel repeated, like scipy's "reflect"). Smooths the pixel noise that
 * would otherwise speckle the motion mask. Buffers are allocated once.
 */
export class GaussianBlur {
  /** Integer taps summing to 256 (exported for the OpenCV twin in the benchmark). */
  readonly taps: Int32Array;
  private readonly tmp: Uint16Array;
  /** Index lookup with mirrored edges, per axis: idx[(p + radius) * (2r+1) + (k + radius)]. */
  private readonly xIdx: Int32Array;
  private readonly yIdx: Int32Array;

  constructor(
    readonly w: number,
    readonly h: number,
    readonly radius: number,
  ) {
    this.taps = gaussianTaps(radius);
    this.tmp = new Uint16Array(w * h);
    this.xIdx = mirroredIndex(w, radius);
    this.yIdx = mirroredIndex(h, radius);
  }

  apply(src: Uint8Array, dst: Uint8Array): void {
    const { w, h, radius: r, taps, tmp, xIdx, yIdx } = this;
    if (r === 0) {
      dst.set(src.subarray(0, w * h));
      return;
    }
    if (r === 1) {
      this.apply3(src, dst);
      return;
    }
    const k = 2 * r + 1;
    // Horizontal: interior columns without index lookups, the r columns at each edge through xIdx.
    for (let y = 0; y < h; y++) {
      const row = y * w;
      for (let x = 0; x < w; x++) {
        let s = 0;
        if (x >= r && x < w - r) {
          const base = row + x - r;
          for (let t = 0; t < k; t++) s += taps[t] * src[base + t];
        } else {
          const ib = x * k;
          for (let t = 0; t < k; t++) s += taps[t] * src[row + xIdx[ib + t]];
        }
        tmp[row + x] = s;
      }
    }
    // Vertical, row by row (cache friendly), rounding back to 8 bits.
    for (let y = 0; y < h; y++) {
      const ib = y * k;
      const row = y * w;
      for (let x = 0; x < w; x++) {
        let s = 0;
        for (let t = 0; t < k; t++) s += taps[t] * tmp[yIdx[ib + t] * w + x];
        dst[row + x] = (s + 32768) >>> 16;
      }
    }
  }

  /** The default radius 1 unrolled: 3 taps, mirrored edges = the edge pixel repeated. */
  private apply3(src: Uint8Array, dst: Uint8Array): void {
    const { w, h, taps, tmp } = this;
    const a = taps[0];
    const c = taps[1];
    for (let y = 0; y < h; y++) {
      const row = y * w;
      const last = row + w - 1;
      tmp[row] = a * src[row] + c * src[row] + a * src[row + (w > 1 ? 1 : 0)];
      for (let p = row + 1; p < last; p++) tmp[p] = a * (src[p - 1] + src[p + 1]) + c * src[p];
      if (w > 1) tmp[last] = a * src[last - 1] + c * src[last] + a * src[last];
    }
    for (let y = 0; y < h; y++) {
      const up = (y > 0 ? y - 1 : 0) * w;
      const row = y * w;
      const down = (y < h - 1 ? y + 1 : y) * w;
      for (let x = 0; x < w; x++) dst[row + x] = (a * (tmp[up + x] + tmp[down + x]) + c * tmp[row + x] + 32768) >>> 16;
    }
  }
}

export function gaussianTaps(radius: number): Int32Array {
  const k = 2 * radius + 1;
  const f = new Float64Array(k);
  let sum = 0;
  for (let i = 0; i < k; i++) sum += f[i] = Math.exp(-((i - radius) ** 2) / 2);
  const taps = new Int32Array(k);
  let total = 0;
  for (let i = 0; i < k; i++) total += taps[i] = Math.round((f[i] / sum) * 256);
  taps[radius] += 256 - total;
  return taps;
}

function mirroredIndex(n: number, r: number): Int32Array {
  const k = 2 * r + 1;
  const idx = new Int32Array(n * k);
  for (let p = 0; p < n; p++) {
    for (let t = 0; t < k; t++) {
      let q = p + t - r;
      // scipy "reflect": ... b a | a b c ... c b a | a b ...
      while (q < 0 || q >= n) q = q < 0 ? -q - 1 : 2 * n - q - 1;
      idx[p * k + t] = q;
    }
  }
  return idx;
}
