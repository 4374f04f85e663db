import type { TfjsGraph } from './tfjs-graph.js';

/** Resize ops whose output size is an input tensor (TF's `size`), usually a constant in exported graphs. */
const RESIZE_OPS = new Set(['ResizeBilinear', 'ResizeNearestNeighbor']);

/**
 * Lets a fully convolutional graph be converted at another input size: exporters bake the
 * feature-pyramid upsampling sizes in as constants (CenterNet: 32, 64, 128 at 512), which only fit
 * the input size the graph was exported at. Each such constant is scaled by new/original input
 * size, per axis; a size that does not scale to a whole number means the new input size does not
 * fit the network's strides, and is refused. Mutates `graph.consts` (a graph is loaded per conversion).
 */
export function rescaleResizeSizes(graph: TfjsGraph, original: number[], wanted: number[]): void {
  if (original.length !== 4 || wanted.length !== 4) throw new Error(`input resizing needs NHWC shapes, got [${original}] → [${wanted}]`);
  const sy = wanted[1] / original[1];
  const sx = wanted[2] / original[2];
  const done = new Set<string>();
  for (const name of graph.order) {
    const node = graph.nodes.get(name);
    if (!node || !RESIZE_OPS.has(node.op)) continue;
    const sizeNode = (node.input ?? [])[1]?.replace(/:0$/, '');
    const size = sizeNode === undefined ? undefined : graph.consts.get(sizeNode);
    if (!sizeNode || !size) throw new Error(`${node.op} ${name}: size is not a constant, cannot rescale it`);
    if (done.has(sizeNode)) continue;
    const h = size.values[0] * sy;
    const w = size.values[1] * sx;
    if (!Number.isInteger(h) || !Number.isInteger(w)) {
      throw new Error(`${name}: upsampling size ${size.values[0]}x${size.values[1]} does not scale to a whole size for input ${wanted[1]}x${wanted[2]} (use a multiple of the network's stride)`);
    }
    graph.consts.set(sizeNode, { ...size, values: Int32Array.from([h, w]) });
    done.add(sizeNode);
  }
}
