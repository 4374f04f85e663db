import { normBox } from '../../core/object-event.js';
import { pixelBox, toPixelBox } from '../coords.js';
import type { PixelBox } from '../types.js';
import { centernetHeadsOutputProblem, decodeCenterNetHeads } from './centernet-heads.js';

/** A decoded hit in pixels of the model input, before NMS and mapping back to the frame. */
export interface RawDetection {
  classIndex: number;
  score: number;
  box: PixelBox;
}

export interface DecodeOptions {
  minScore: number;
  /** Number of classes the model predicts (the manifest's label count). */
  classes: number;
  inputWidth: number;
  inputHeight: number;
  /** YOLO only: box coordinates as input pixels or 0..1 of the input. */
  boxUnits: 'pixels' | 'normalized';
  /** centernet-heads only: the last channel is each cell's best class score. */
  cellMax?: boolean;
}

export type DecoderName = 'centernet' | 'centernet-heads' | 'yolov5' | 'yolov8';

/**
 * Checks an output shape (from the session's metadata; dynamic dims are strings) against what the
 * decoder reads. A mismatch means the manifest does not describe the model: found at load time.
 */
export function expectedOutputProblem(decoder: DecoderName, dims: readonly (number | string)[], classes: number, cellMax = false): string | undefined {
  if (decoder === 'centernet-heads') return centernetHeadsOutputProblem(dims, classes, cellMax);
  const d = dims.length === 3 && (dims[0] === 1 || typeof dims[0] === 'string') ? dims.slice(1) : dims;
  const shown = `[${dims.join(',')}]`;
  if (d.length !== 2) return `${decoder} output must have 3 dimensions, got ${shown}`;
  switch (decoder) {
    case 'centernet':
      return d[1] === 6 ? undefined : `centernet output must be [1,N,6], got ${shown}`;
    case 'yolov5':
      return d[1] === 5 + classes ? undefined : `yolov5 output must be [1,N,${5 + classes}] for ${classes} labels, got ${shown}`;
    case 'yolov8':
      return d[0] === 4 + classes ? undefined : `yolov8 output must be [1,${4 + classes},N] for ${classes} labels, got ${shown}`;
  }
}

/** CenterNet with in-graph post-processing: rows of x1,y1,x2,y2 (input pixels), score, class. */
export function decodeCenterNet(data: Float32Array, dims: readonly number[], o: DecodeOptions): RawDetection[] {
  const rows = dims[dims.length - 2];
  const out: RawDetection[] = [];
  for (let r = 0; r < rows; r++) {
    const i = r * 6;
    const score = data[i + 4];
    const cls = Math.round(data[i + 5]);
    if (!(score >= o.minScore) || cls < 0 || cls >= o.classes) continue;
    out.push({ classIndex: cls, score, box: pixelBox(data[i], data[i + 1], data[i + 2], data[i + 3]) });
  }
  return out;
}

/** A centre-size box in input pixels; a model reporting 0..1 of its input enters pixels here. */
function centreBox(cx: number, cy: number, w: number, h: number, o: DecodeOptions): PixelBox {
  const [x1, y1, x2, y2] = [cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2];
  if (o.boxUnits === 'pixels') return pixelBox(x1, y1, x2, y2);
  return toPixelBox(normBox(x1, y1, x2, y2), { width: o.inputWidth, height: o.inputHeight });
}

/** YOLOv5-style export [1,N,5+C]: cx,cy,w,h, objectness, C class scores; score = objectness × class. */
export function decodeYoloV5(data: Float32Array, dims: readonly number[], o: DecodeOptions): RawDetection[] {
  const stride = 5 + o.classes;
  const rows = dims[dims.length - 2];
  const out: RawDetection[] = [];
  for (let r = 0; r < rows; r++) {
    const i = r * stride;
    const obj = data[i + 4];
    if (!(obj >= o.minScore)) continue; // score ≤ objectness: cheap early reject
    let best = 0;
    let cls = -1;
    for (let c = 0; c < o.classes; c++) {
      const s = data[i + 5 + c];
      if (s > best) { best = s; cls = c; }
    }
    const score = obj * best;
    if (cls < 0 || !(score >= o.minScore)) continue;
    out.push({ classIndex: cls, score, box: centreBox(data[i], data[i + 1], data[i + 2], data[i + 3], o) });
  }
  return out;
}

/** YOLOv8-style export [1,4+C,N] (channel-major): cx,cy,w,h then C class scores, no objectness. */
export function decodeYoloV8(data: Float32Array, dims: readonly number[], o: DecodeOptions): RawDetection[] {
  const n = dims[dims.length - 1];
  const out: RawDetection[] = [];
  for (let a = 0; a < n; a++) {
    let best = 0;
    let cls = -1;
    for (let c = 0; c < o.classes; c++) {
      const s = data[(4 + c) * n + a];
      if (s > best) { best = s; cls = c; }
    }
    if (cls < 0 || !(best >= o.minScore)) continue;
    out.push({ classIndex: cls, score: best, box: centreBox(data[a], data[n + a], data[2 * n + a], data[3 * n + a], o) });
  }
  return out;
}

export const DECODERS: Record<DecoderName, (data: Float32Array, dims: readonly number[], o: DecodeOptions) => RawDetection[]> = {
  centernet: decodeCenterNet,
  'centernet-heads': decodeCenterNetHeads,
  yolov5: decodeYoloV5,
  yolov8: decodeYoloV8,
};
