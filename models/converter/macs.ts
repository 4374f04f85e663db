import { attrBool, type TensorInfo, type TfNode } from './tfjs-graph.js';

/**
 * Multiply-accumulates of one node from its (static) input and output shapes: the cost figure of
 * a model that holds on any CPU. Only the ops that dominate a CNN count (convolutions, depthwise
 * convolutions, matrix products); elementwise ops, pooling and resizes are a rounding error.
 */
export function macsOf(node: TfNode, inputs: TensorInfo[], outputs: TensorInfo[]): number {
  const out = outputs[0]?.shape;
  switch (node.op) {
    case 'Conv2D':
    case '_FusedConv2D': {
      const [kh, kw, cin] = inputs[1].shape; // HWIO
      return product(out) * kh * kw * cin;
    }
    case 'DepthwiseConv2dNative':
    case 'FusedDepthwiseConv2dNative': {
      const [kh, kw] = inputs[1].shape; // H, W, C, multiplier: one input channel per output channel
      return product(out) * kh * kw;
    }
    case 'MatMul':
    case '_FusedMatMul':
    case 'BatchMatMul':
    case 'BatchMatMulV2': {
      const a = inputs[0].shape;
      const transposeA = attrBool(node, 'transpose_a') ?? attrBool(node, 'adj_x') ?? false;
      const k = transposeA ? a[a.length - 2] : a[a.length - 1];
      return product(out) * k;
    }
    default:
      return 0;
  }
}

function product(shape: number[] | undefined): number {
  return (shape ?? []).reduce((a, b) => a * b, 1);
}

/** "3.21 G" style figure for logs and docs. */
export function formatMacs(macs: number): string {
  if (macs >= 1e9) return `${(macs / 1e9).toFixed(2)} G`;
  if (macs >= 1e6) return `${(macs / 1e6).toFixed(1)} M`;
  return `${macs}`;
}
