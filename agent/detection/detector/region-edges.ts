import { pixelBox } from '../coords.js';
import type { Detection, PixelBox } from '../types.js';

/** A box this close (pixels) to an edge of its region that is not the frame's edge is cut by it. */
const EDGE_PX = 2;
/** A cut box lying this much (share of its area) inside a whole box of another region is that object, seen whole there. */
const INSIDE_SHARE = 0.6;

/** One region's detections, in frame pixels. */
export interface RegionDetections {
  region: PixelBox;
  detections: Detection[];
}

/**
 * Regions sized to the model cut through objects at their edges: the part inside comes back as a
 * box of its own (a car's front half), which NMS does not merge with the whole car another region
 * saw (their overlap is small). Like Frigate, a detection touching an inner edge of its region is
 * dropped when another region has the object whole; for one that no region saw whole, `cutAlone`
 * holds where the whole object probably is (its box continued past the cut edge by its own size),
 * for the caller to look again there; the part itself is left out of `kept`.
 */
export function splitCutDetections(perRegion: readonly RegionDetections[], frameW: number, frameH: number): { kept: Detection[]; cutAlone: PixelBox[] } {
  const cut = perRegion.map(({ region, detections }) => detections.map((d) => isCut(d.box, region, frameW, frameH)));
  const kept: Detection[] = [];
  const cutAlone: PixelBox[] = [];
  perRegion.forEach(({ region, detections }, r) => {
    detections.forEach((d, i) => {
      if (!cut[r][i]) { kept.push(d); return; }
      const wholeElsewhere = perRegion.some((other, o) => o !== r && other.detections.some((e, j) => !cut[o][j] && insideShare(d.box, e.box) >= INSIDE_SHARE));
      if (!wholeElsewhere) cutAlone.push(beyondCut(d.box, region, frameW, frameH));
    });
  });
  return { kept, cutAlone };
}

/** The box continued past each inner region edge it touches by its own width/height, inside the frame. */
function beyondCut(b: PixelBox, r: PixelBox, frameW: number, frameH: number): PixelBox {
  const w = b[2] - b[0];
  const h = b[3] - b[1];
  return pixelBox(
    r[0] > 0 && b[0] - r[0] < EDGE_PX ? Math.max(0, b[0] - w) : b[0],
    r[1] > 0 && b[1] - r[1] < EDGE_PX ? Math.max(0, b[1] - h) : b[1],
    r[2] < frameW && r[2] - b[2] < EDGE_PX ? Math.min(frameW, b[2] + w) : b[2],
    r[3] < frameH && r[3] - b[3] < EDGE_PX ? Math.min(frameH, b[3] + h) : b[3],
  );
}

function isCut(b: PixelBox, r: PixelBox, frameW: number, frameH: number): boolean {
  return (r[0] > 0 && b[0] - r[0] < EDGE_PX) || (r[1] > 0 && b[1] - r[1] < EDGE_PX)
    || (r[2] < frameW && r[2] - b[2] < EDGE_PX) || (r[3] < frameH && r[3] - b[3] < EDGE_PX);
}

/** Share of a's area inside b. */
function insideShare(a: PixelBox, b: PixelBox): number {
  const w = Math.min(a[2], b[2]) - Math.max(a[0], b[0]);
  const h = Math.min(a[3], b[3]) - Math.max(a[1], b[1]);
  const area = (a[2] - a[0]) * (a[3] - a[1]);
  return w <= 0 || h <= 0 || area <= 0 ? 0 : (w * h) / area;
}
