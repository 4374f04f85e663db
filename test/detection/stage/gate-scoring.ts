/**
 * Scoring for the accuracy gate (accuracy-gate.test.ts): the new default's detections against the
 * reference's (512 fp32 on the whole frame), frame by frame.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import jpeg from 'jpeg-js';
import { iou } from '../../../agent/detection/geometry.js';
import type { Detection, PixelBox } from '../../../agent/detection/types.js';
import type { VideoFrame } from '../../../agent/ingest/types.js';

export const GATE_LABELS = ['person', 'bicycle', 'motorcycle', 'car', 'bus', 'truck'];
/** Detections that count: the reference's and the new ones' at this score or more. */
export const CONFIDENT = 0.5;
/**
 * A counterpart may score this much: the detection stage keeps detections from 0.3 (detection.minScore),
 * so a confident object the other side scores 0.3-0.5 is still seen by the agent, not lost or new.
 */
export const SEEN = 0.3;
const MATCH_IOU = 0.5;
/** A stationary track is re-checked every 5 s (tracker.ts); a frame or two of slack. */
const HELD_MS = 5400;
/** Extras this small (longest side, pixels of the source video) are what native-resolution regions add. */
const SMALL_SIDE = 64;

/** What the agent's detector did on one frame. */
export interface FrameRecord {
  frame: VideoFrame;
  regions: readonly PixelBox[];
  detections: Detection[];
}

export interface GateCounts {
  frames: number;
  reference: number;
  found: number;
  /** Found only as a held (stationary, not re-checked this frame) object: counted in `found`. */
  held: number;
  extra: number;
  /** Extras that are small and recur in a neighbouring frame: real objects the whole frame missed (crops written). */
  smallRecurring: number;
}

export const emptyCounts = (): GateCounts => ({ frames: 0, reference: 0, found: 0, held: 0, extra: 0, smallRecurring: 0 });

/** Detections of the tracked labels scoring at least `min`. */
export const tracked = (ds: readonly Detection[], min: number): Detection[] => ds.filter((d) => GATE_LABELS.includes(d.label) && d.score >= min);
/** The same object seen by both: same label, IoU >= 0.5. */
export const matches = (a: Detection, b: Detection): boolean => a.label === b.label && iou(a.box, b.box) >= MATCH_IOU;
/** An extra is a new object: one the reference saw under another label (truck/bus, car/truck) is not new. */
const sameObject = (a: Detection, b: Detection): boolean => iou(a.box, b.box) >= MATCH_IOU;
const inside = (b: PixelBox, r: PixelBox): boolean => b[0] >= r[0] && b[1] >= r[1] && b[2] <= r[2] && b[3] <= r[3];

/**
 * Scores one frame. A reference object is found when the new detections of this frame have it (same
 * label, IoU >= 0.5; the new one scoring at least SEEN), or —
 * when no region of this frame covered it (the agent did not look) — when it was detected in the
 * same place within HELD_MS: that is a stationary track the agent holds between its re-checks.
 * A new detection scoring CONFIDENT is an extra when the reference has no object (any tracked label,
 * scoring SEEN) there; ones small in the source video (`source`: its size before ingest scaled it to
 * the detect frame) that recur in a neighbouring frame are counted apart, crops written.
 */
export function scoreFrame(rec: FrameRecord, reference: Detection[], history: readonly FrameRecord[], neighbours: readonly FrameRecord[], source: { width: number; height: number }, extrasDir: string | undefined, counts: GateCounts): void {
  const sx = source.width / rec.frame.width;
  const sy = source.height / rec.frame.height;
  counts.frames++;
  const ref = tracked(reference, CONFIDENT);
  const refSeen = tracked(reference, SEEN);
  const got = tracked(rec.detections, SEEN);
  for (const r of ref) {
    counts.reference++;
    if (got.some((g) => matches(r, g))) { counts.found++; continue; }
    const looked = rec.regions.some((region) => inside(r.box, region));
    const recent = history.filter((h) => rec.frame.ts - h.frame.ts <= HELD_MS);
    if (!looked && recent.some((h) => tracked(h.detections, SEEN).some((g) => matches(r, g)))) { counts.found++; counts.held++; }
  }
  for (const g of tracked(rec.detections, CONFIDENT)) {
    if (refSeen.some((r) => sameObject(g, r))) continue;
    const small = Math.max((g.box[2] - g.box[0]) * sx, (g.box[3] - g.box[1]) * sy) <= SMALL_SIDE;
    const recurs = neighbours.some((n) => n.detections.some((d) => d.label === g.label && d.score >= SEEN && iou(d.box, g.box) >= 0.3));
    if (small && recurs) {
      counts.smallRecurring++;
      if (extrasDir) writeCrop(extrasDir, rec.frame, g);
    } else {
      counts.extra++;
      if (extrasDir) writeCrop(join(extrasDir, 'counted'), rec.frame, g);
    }
  }
}

/** A JPEG of the detection with as much context around it, for a person to judge. */
function writeCrop(dir: string, frame: VideoFrame, d: Detection): void {
  mkdirSync(dir, { recursive: true });
  const w = d.box[2] - d.box[0];
  const h = d.box[3] - d.box[1];
  const x1 = Math.max(0, Math.floor(d.box[0] - w));
  const y1 = Math.max(0, Math.floor(d.box[1] - h));
  const x2 = Math.min(frame.width, Math.ceil(d.box[2] + w));
  const y2 = Math.min(frame.height, Math.ceil(d.box[3] + h));
  const cw = x2 - x1;
  const ch = y2 - y1;
  const rgba = new Uint8ClampedArray(cw * ch * 4); // clamps the conversion's overshoot
  const fw = frame.width;
  const uOff = fw * frame.height;
  const cStride = (fw + 1) >> 1;
  const vOff = uOff + cStride * ((frame.height + 1) >> 1);
  for (let y = 0; y < ch; y++) {
    for (let x = 0; x < cw; x++) {
      const sx = x1 + x;
      const sy = y1 + y;
      const c = 1.164 * (frame.data[sy * fw + sx] - 16);
      const u = frame.data[uOff + (sy >> 1) * cStride + (sx >> 1)] - 128;
      const v = frame.data[vOff + (sy >> 1) * cStride + (sx >> 1)] - 128;
      const [bx1, by1, bx2, by2] = d.box.map(Math.round);
      const onEdge = ((sx === bx1 || sx === bx2 - 1) && sy >= by1 && sy < by2) || ((sy === by1 || sy === by2 - 1) && sx >= bx1 && sx < bx2);
      const o = (y * cw + x) * 4;
      rgba[o] = onEdge ? 255 : c + 1.596 * v;
      rgba[o + 1] = onEdge ? 0 : c - 0.392 * u - 0.813 * v;
      rgba[o + 2] = onEdge ? 0 : c + 2.017 * u;
      rgba[o + 3] = 255;
    }
  }
  const name = `${frame.cameraId}-${frame.seq}-${d.label}-${d.score.toFixed(2)}-${d.box.map(Math.round).join('_')}.jpg`;
  writeFileSync(join(dir, name), jpeg.encode({ data: Buffer.from(rgba.buffer), width: cw, height: ch }, 90).data);
}
