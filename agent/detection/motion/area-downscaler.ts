/**
 * Area-average downscale of an 8-bit plane to a fixed smaller size (like OpenCV INTER_AREA with
 * whole-pixel cells): averaging every source pixel suppresses sensor and compression noise that
 * nearest-neighbour sampling would pass straight into the motion mask. Cell edges are precomputed,
 * so a frame costs one pass over the plane (4 pixels per step) and no allocation.
 */
export class AreaDownscaler {
  /** Source column where output column i starts (length outW + 1). */
  readonly xEdges: Int32Array;
  /** Source row where output row i starts (length outH + 1). */
  readonly yEdges: Int32Array;
  private readonly invCellW: Float64Array;
  private readonly colSums: Uint32Array;
  private readonly lo: Uint32Array;
  private readonly hi: Uint32Array;

  constructor(
    readonly srcW: number,
    readonly srcH: number,
    readonly outW: number,
    readonly outH: number,
  ) {
    this.xEdges = edges(srcW, outW);
    this.yEdges = edges(srcH, outH);
    this.invCellW = new Float64Array(outW);
    for (let i = 0; i < outW; i++) this.invCellW[i] = 1 / (this.xEdges[i + 1] - this.xEdges[i]);
    this.colSums = new Uint32Array(srcW);
    this.lo = new Uint32Array(srcW >> 2);
    this.hi = new Uint32Array(srcW >> 2);
  }

  /** Reads the first srcW*srcH bytes of `src` (the Y plane of an I420 frame) into `out` (outW*outH). */
  downscale(src: Uint8Array, out: Uint8Array): void {
    const { outW, outH, xEdges, yEdges, invCellW, colSums } = this;
    const words = this.wordView(src);
    for (let oy = 0; oy < outH; oy++) {
      const y0 = yEdges[oy];
      const y1 = yEdges[oy + 1];
      this.sumRows(src, words, y0, y1);
      const invH = 1 / (y1 - y0);
      const o = oy * outW;
      let x = 0;
      for (let ox = 0; ox < outW; ox++) {
        const end = xEdges[ox + 1];
        let s = 0;
        for (; x < end; x++) s += colSums[x];
        out[o + ox] = (s * invCellW[ox] * invH + 0.5) | 0;
      }
    }
  }

  /**
   * colSums[x] = sum of src rows y0..y1-1 at column x. Reads 4 pixels per 32-bit word when the row
   * starts are 4-byte aligned, keeping two bytes per 16-bit lane (a cell is far fewer than 257 rows).
   */
  private sumRows(src: Uint8Array, words: Uint32Array | null, y0: number, y1: number): void {
    const { srcW, colSums, lo, hi } = this;
    if (words && y1 - y0 <= 257) {
      const nw = srcW >> 2;
      lo.fill(0);
      hi.fill(0);
      for (let y = y0; y < y1; y++) {
        const base = (y * srcW) >> 2;
        for (let k = 0; k < nw; k++) {
          const w = words[base + k];
          lo[k] += w & 0x00ff00ff;
          hi[k] += (w >>> 8) & 0x00ff00ff;
        }
      }
      for (let k = 0; k < nw; k++) {
        const l = lo[k];
        const h = hi[k];
        const x = k << 2;
        colSums[x] = l & 0xffff;
        colSums[x + 1] = h & 0xffff;
        colSums[x + 2] = l >>> 16;
        colSums[x + 3] = h >>> 16;
      }
      return;
    }
    colSums.fill(0);
    for (let y = y0; y < y1; y++) {
      const row = y * srcW;
      for (let x = 0; x < srcW; x++) colSums[x] += src[row + x];
    }
  }

  /** A 32-bit view of the plane when every row starts 4-byte aligned (little-endian byte order). */
  private wordView(src: Uint8Array): Uint32Array | null {
    if (!LITTLE_ENDIAN || this.srcW % 4 !== 0 || src.byteOffset % 4 !== 0) return null;
    return new Uint32Array(src.buffer, src.byteOffset, (this.srcW * this.srcH) >> 2);
  }
}

const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

function edges(src: number, out: number): Int32Array {
  const e = new Int32Array(out + 1);
  for (let i = 0; i <= out; i++) e[i] = Math.floor((i * src) / out);
  return e;
}
