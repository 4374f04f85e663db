import { pixelBox } from '../coords.js';
import type { DecodeOptions, RawDetection } from './decoders.js';

/**
 * CenterNet decoded from its raw heads, so the model can run at any input size (the converted
 * graph's own decode has the 512-input heatmap size and stride baked in). The output is the heads
 * joined on the channel axis, NHWC `[1, H, W, C + 4]`: C sigmoid class heatmaps, then the box's
 * distances left, top, right, bottom from the cell, in input pixels. The decode is the graph's own
 * (tower_0/detections), done here for any H, W: a cell is a peak when no 3x3 neighbour of the same
 * class scores higher (max-pool equality, so plateaus keep every cell), the best TOP_K peaks are
 * kept, and the box is cell × stride ∓ distances (no sub-cell offset head in this model).
 * With `cellMax` the output carries one more channel, each cell's best class score (computed in the
 * graph: models/converter/cell-max.ts), and only cells where it reaches minScore are read: scanning
 * all C scores of every cell in JavaScript was most of the decode (0.9 of 1.4 ms at 512x288).
 */
export const CENTERNET_TOP_K = 100;

export function centernetHeadsOutputProblem(dims: readonly (number | string)[], classes: number, cellMax = false): string | undefined {
  const shown = `[${dims.join(',')}]`;
  const depth = classes + 4 + (cellMax ? 1 : 0);
  const what = `[1,H,W,${depth}]${cellMax ? ' (with the cell-max channel)' : ''}`;
  if (dims.length !== 4 || (dims[0] !== 1 && typeof dims[0] !== 'string')) return `centernet-heads output must be ${what}, got ${shown}`;
  return dims[3] === depth ? undefined : `centernet-heads output must be ${what} for ${classes} labels, got ${shown}`;
}

interface Peak { score: number; index: number }

export function decodeCenterNetHeads(data: Float32Array, dims: readonly number[], o: DecodeOptions): RawDetection[] {
  const [, H, W, depth] = dims;
  const C = depth - 4 - (o.cellMax ? 1 : 0);
  const best = C + 4; // the cell-max channel, when there is one
  const strideX = o.inputWidth / W;
  const strideY = o.inputHeight / H;
  const peaks: Peak[] = [];
  for (let y = 0; y < H; y++) {
    const y0 = Math.max(0, y - 1);
    const y1 = Math.min(H - 1, y + 1);
    for (let x = 0; x < W; x++) {
      const cell = (y * W + x) * depth;
      if (o.cellMax && !(data[cell + best] >= o.minScore)) continue;
      const x0 = Math.max(0, x - 1);
      const x1 = Math.min(W - 1, x + 1);
      for (let c = 0; c < C; c++) {
        const v = data[cell + c];
        // Most cells fail here, so the 3x3 neighbourhood is read for a handful of candidates only.
        if (!(v >= o.minScore) || !isPeak(data, v, c, y0, y1, x0, x1, W, depth)) continue;
        peaks.push({ score: v, index: (y * W + x) * C + c });
      }
    }
  }
  // TF's top-k order: score descending, ties by flat index ascending.
  peaks.sort((a, b) => b.score - a.score || a.index - b.index);
  const out: RawDetection[] = [];
  for (const p of peaks.slice(0, CENTERNET_TOP_K)) {
    const classIndex = p.index % C;
    if (classIndex >= o.classes) continue;
    const pixel = (p.index - classIndex) / C;
    const x = pixel % W;
    const y = (pixel - x) / W;
    const d = pixel * depth + C;
    const cx = x * strideX;
    const cy = y * strideY;
    out.push({ classIndex, score: p.score, box: pixelBox(cx - data[d], cy - data[d + 1], cx + data[d + 2], cy + data[d + 3]) });
  }
  return out;
}

function isPeak(data: Float32Array, v: number, c: number, y0: number, y1: number, x0: number, x1: number, W: number, depth: number): boolean {
  for (let yy = y0; yy <= y1; yy++) {
    for (let xx = x0; xx <= x1; xx++) {
      if (data[(yy * W + xx) * depth + c] > v) return false;
    }
  }
  return true;
}
