/**
 * Area-average downscale of an 8-bit plane to a fixed smaller size (like OpenCV INTER_AREA with
 * whole-pixel cells): averaging every source pixel suppresses sensor and compression noise that
 * nearest-neighbour sampling would pass straight into the motion mask. Cell edges are precomputed,
 * so a frame costs one pass over the plane and no allocation.
 */
export class AreaDownscaler {
  /** Source column where output column i starts (length outW + 1). */
  readonly xEdges: Int32Array;
  /** Source row where output row i starts (length outH + 1). */
  readonly yEdges: Int32Array;
  private readonly invCellW: Float64Array;
  private readonly rowSums: Uint32Array;

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
    this.rowSums = new Uint32Array(outW);
  }

  /** Reads the first srcW*srcH bytes of `src` (the Y plane of an I420 frame) into `out` (outW*outH). */
  downscale(src: Uint8Array, out: Uint8Array): void {
    const { srcW, outW, outH, xEdges, yEdges, invCellW, rowSums } = this;
    for (let oy = 0; oy < outH; oy++) {
      rowSums.fill(0);
      const y0 = yEdges[oy];
      const y1 = yEdges[oy + 1];
      for (let y = y0; y < y1; y++) {
        const row = y * srcW;
        let p = row;
        for (let ox = 0; ox < outW; ox++) {
          const end = row + xEdges[ox + 1];
          let s = 0;
          for (; p < end; p++) s += src[p];
          rowSums[ox] += s;
        }
      }
      const invH = 1 / (y1 - y0);
      const o = oy * outW;
      for (let ox = 0; ox < outW; ox++) out[o + ox] = (rowSums[ox] * invCellW[ox] * invH + 0.5) | 0;
    }
  }
}

function edges(src: number, out: number): Int32Array {
  const e = new Int32Array(out + 1);
  for (let i = 0; i <= out; i++) e[i] = Math.floor((i * src) / out);
  return e;
}
