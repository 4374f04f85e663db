/**
 * 8-connected regions of a 0/1 plane with their pixel count and bounding box, by flood fill over a
 * preallocated stack. Results live in typed arrays that are reused for every frame.
 */
export class ConnectedRegions {
  count = 0;
  /** Per region: minX, minY, maxX, maxY (inclusive, grid pixels). */
  readonly boxes: Int32Array;
  /** Per region: pixels of the labelled plane. */
  readonly areas: Int32Array;
  /** Per region: pixels that are also set in the `core` plane given to find(). */
  readonly coreAreas: Int32Array;
  private readonly stack: Int32Array;

  constructor(
    readonly w: number,
    readonly h: number,
  ) {
    // With 8-connectivity, separate regions need a gap in both directions: at most ceil(w/2)*ceil(h/2).
    const max = ((w + 1) >> 1) * ((h + 1) >> 1);
    this.boxes = new Int32Array(max * 4);
    this.areas = new Int32Array(max);
    this.coreAreas = new Int32Array(max);
    this.stack = new Int32Array(w * h);
  }

  /**
   * Labels `plane` in place (visited pixels become 2) and fills count/boxes/areas; coreAreas counts
   * the pixels of each region also set in `core` (the undilated changes inside a dilated region).
   */
  find(plane: Uint8Array, core: Uint8Array): void {
    const { w, h, boxes, areas, coreAreas, stack } = this;
    let count = 0;
    const n = w * h;
    for (let start = 0; start < n; start++) {
      if (plane[start] !== 1) continue;
      let minX = w, minY = h, maxX = -1, maxY = -1, area = 0, coreArea = 0;
      let sp = 0;
      stack[sp++] = start;
      plane[start] = 2;
      while (sp > 0) {
        const p = stack[--sp];
        const y = (p / w) | 0;
        const x = p - y * w;
        area++;
        coreArea += core[p];
        if (x < minX) minX = x;
        if (x > maxX) maxX = x;
        if (y < minY) minY = y;
        if (y > maxY) maxY = y;
        const x0 = x > 0 ? -1 : 0;
        const x1 = x < w - 1 ? 1 : 0;
        const y0 = y > 0 ? -1 : 0;
        const y1 = y < h - 1 ? 1 : 0;
        for (let dy = y0; dy <= y1; dy++) {
          const rowBase = p + dy * w;
          for (let dx = x0; dx <= x1; dx++) {
            const q = rowBase + dx;
            if (plane[q] === 1) {
              plane[q] = 2;
              stack[sp++] = q;
            }
          }
        }
      }
      const b = count * 4;
      boxes[b] = minX;
      boxes[b + 1] = minY;
      boxes[b + 2] = maxX;
      boxes[b + 3] = maxY;
      coreAreas[count] = coreArea;
      areas[count++] = area;
    }
    this.count = count;
  }
}
