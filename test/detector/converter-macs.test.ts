import assert from 'node:assert/strict';
import { onnx } from 'onnx-proto';
import { convertTfjsGraphModel } from '../../models/converter/convert.js';
import { tempDir } from '../support/tmp.js';
import { b64, T, TfjsGraphFile } from './support/tfjs-graph-file.js';

/** conv 3x3 3→4, depthwise 3x3 stride 2, pointwise 1x1 4→2, then a fixed-size upsampling to 6x6. */
function tinyCnn(dir: string): string {
  const g = new TfjsGraphFile();
  const conv = (strides: number): Record<string, unknown> => ({
    T: T('DT_FLOAT'), padding: { s: b64('SAME') }, data_format: { s: b64('NHWC') },
    strides: { list: { i: ['1', String(strides), String(strides), '1'] } }, dilations: { list: { i: ['1', '1', '1', '1'] } },
  });
  const ramp = (n: number): number[] => Array.from({ length: n }, (_, i) => ((i % 7) - 3) / 10);
  const x = g.placeholder('x', [1, 8, 8, 3]);
  const c1 = g.op('c1', 'Conv2D', [x, g.const('w1', 'DT_FLOAT', [3, 3, 3, 4], ramp(108))], conv(1));
  const dw = g.op('dw', 'DepthwiseConv2dNative', [c1, g.const('wd', 'DT_FLOAT', [3, 3, 4, 1], ramp(36))], conv(2));
  const pw = g.op('pw', 'Conv2D', [dw, g.const('wp', 'DT_FLOAT', [1, 1, 4, 2], ramp(8))], conv(1));
  g.op('up', 'ResizeBilinear', [pw, g.const('size', 'DT_INT32', [2], [6, 6])], { T: T('DT_FLOAT'), align_corners: { b: false }, half_pixel_centers: { b: false } });
  return g.write(dir);
}

const outputDims = (bytes: Uint8Array): number[] =>
  (onnx.ModelProto.decode(bytes).graph?.output?.[0].type?.tensorType?.shape?.dim ?? []).map((d) => Number(d.dimValue));

describe('detector: converter cost figure and input resizing', function () {
  let tmp: { dir: string; cleanup: () => void };
  before(() => { tmp = tempDir('converter-macs-'); });
  after(() => tmp.cleanup());

  it('counts multiply-accumulates from the graph\'s shapes: conv, depthwise and pointwise by hand', async function () {
    const conv = await convertTfjsGraphModel({ modelJsonPath: tinyCnn(tmp.dir), outputs: ['up'] });
    // 8x8x4 outputs x 3x3x3 taps + 4x4x4 x 3x3 (one input channel each) + 4x4x2 x 4; the resize is free.
    assert.equal(conv.macs, 8 * 8 * 4 * 27 + 4 * 4 * 4 * 9 + 4 * 4 * 2 * 4);
    assert.deepEqual(outputDims(conv.onnx), [1, 6, 6, 2]);
  });

  it('converts at another input size, scaling the fixed upsampling size with it (and the MACs with the area)', async function () {
    const conv = await convertTfjsGraphModel({ modelJsonPath: tinyCnn(tmp.dir), outputs: ['up'], inputShapes: { x: [1, 16, 16, 3] } });
    assert.deepEqual(outputDims(conv.onnx), [1, 12, 12, 2]);
    assert.equal(conv.macs, 4 * (8 * 8 * 4 * 27 + 4 * 4 * 4 * 9 + 4 * 4 * 2 * 4));
  });

  it('refuses an input size the upsampling cannot follow, saying why', async function () {
    await assert.rejects(
      convertTfjsGraphModel({ modelJsonPath: tinyCnn(tmp.dir), outputs: ['up'], inputShapes: { x: [1, 10, 10, 3] } }),
      /upsampling size 6x6 does not scale to a whole size for input 10x10/,
    );
  });
});
