import assert from 'node:assert/strict';
import { onnx } from 'onnx-proto';
import { convertTfjsGraphModel } from '../../../models/converter/convert.js';
import { crossCheck } from '../../../models/converter/cross-check.js';
import { tempDir } from '../../support/tmp.js';
import { T, TfjsGraphFile } from './support/tfjs-graph-file.js';

describe('detector: converter ops beyond CenterNet\'s happy path, against tfjs', function () {
  let tmp: { dir: string; cleanup: () => void };
  before(() => { tmp = tempDir('converter-ops-'); });
  after(() => tmp.cleanup());

  it('floor division/modulo with negatives, slicing masks, gather, concat, top-k, reductions, casts', async function () {
    const g = new TfjsGraphFile();
    const x = g.placeholder('x', [2, 6]);
    const divisor = g.const('divisor', 'DT_FLOAT', [], [-2.5]);
    const idivisor = g.const('idivisor', 'DT_INT32', [], [-4]);
    const taps: string[] = [];
    taps.push(g.op('fdiv', 'FloorDiv', [x, divisor], { T: T('DT_FLOAT') }));
    taps.push(g.op('fmod', 'FloorMod', [x, divisor], { T: T('DT_FLOAT') }));
    const xi = g.op('xi', 'Cast', [x], { SrcT: T('DT_FLOAT'), DstT: T('DT_INT32') });
    const idiv = g.op('idiv', 'FloorDiv', [xi, idivisor], { T: T('DT_INT32') });
    const imod = g.op('imod', 'FloorMod', [xi, idivisor], { T: T('DT_INT32') });
    taps.push(g.op('idiv_f', 'Cast', [idiv], { SrcT: T('DT_INT32'), DstT: T('DT_FLOAT') }));
    taps.push(g.op('imod_f', 'Cast', [imod], { SrcT: T('DT_INT32'), DstT: T('DT_FLOAT') }));
    // x[-1, 1:] (shrink axis 0, negative begin) and x[:, ::2] (end mask, stride 2).
    taps.push(g.op('row', 'StridedSlice', [x, g.const('b1', 'DT_INT32', [2], [-1, 1]), g.const('e1', 'DT_INT32', [2], [0, 0]), g.const('s1', 'DT_INT32', [2], [1, 1])],
      { Index: T('DT_INT32'), T: T('DT_FLOAT'), begin_mask: { i: '0' }, end_mask: { i: '2' }, shrink_axis_mask: { i: '1' }, ellipsis_mask: { i: '0' }, new_axis_mask: { i: '0' } }));
    taps.push(g.op('even', 'StridedSlice', [x, g.const('b2', 'DT_INT32', [2], [0, 0]), g.const('e2', 'DT_INT32', [2], [0, 0]), g.const('s2', 'DT_INT32', [2], [1, 2])],
      { Index: T('DT_INT32'), T: T('DT_FLOAT'), begin_mask: { i: '3' }, end_mask: { i: '3' }, shrink_axis_mask: { i: '0' }, ellipsis_mask: { i: '0' }, new_axis_mask: { i: '0' } }));
    taps.push(g.op('picked', 'GatherV2', [x, g.const('gi', 'DT_INT32', [3], [5, 0, 2]), g.const('ga', 'DT_INT32', [], [1])], { batch_dims: { i: '0' }, Tparams: T('DT_FLOAT'), Tindices: T('DT_INT32'), Taxis: T('DT_INT32') }));
    taps.push(g.op('joined', 'ConcatV2', [x, 'fdiv', g.const('ca', 'DT_INT32', [], [-1])], { N: { i: '2' }, T: T('DT_FLOAT'), Tidx: T('DT_INT32') }));
    taps.push(g.op('top', 'TopKV2', [x, g.const('k', 'DT_INT32', [], [3])], { sorted: { b: true }, T: T('DT_FLOAT') }));
    taps.push(g.op('top_i', 'Cast', ['top:1'], { SrcT: T('DT_INT32'), DstT: T('DT_FLOAT') }));
    taps.push(g.op('mean', 'Mean', [x, g.const('ax', 'DT_INT32', [1], [-1])], { keep_dims: { b: false }, T: T('DT_FLOAT'), Tidx: T('DT_INT32') }));
    taps.push(g.op('clipped', 'Relu6', [g.op('scaled', 'Mul', [x, g.const('three', 'DT_FLOAT', [], [3])], { T: T('DT_FLOAT') })], { T: T('DT_FLOAT') }));
    const flat = g.op('flat', 'Reshape', [x, g.const('shape', 'DT_INT32', [1], [-1])], { T: T('DT_FLOAT'), Tshape: T('DT_INT32') });
    taps.push(g.op('expanded', 'ExpandDims', [flat, g.const('dim', 'DT_INT32', [], [-1])], { T: T('DT_FLOAT'), Tdim: T('DT_INT32') }));
    taps.push(g.op('is_pos', 'Cast', [g.op('eq', 'Equal', [x, 'clipped'], { T: T('DT_FLOAT') })], { SrcT: { type: 'DT_BOOL' }, DstT: T('DT_FLOAT') }));
    const modelJson = g.write(tmp.dir);

    const conv = await convertTfjsGraphModel({ modelJsonPath: modelJson, outputs: taps });
    const input = new Float32Array([-7.5, -5, -1.25, 0, 2.5, 9, 11, -3, 4.75, -10, 6, 1]);
    const diffs = await crossCheck(modelJson, conv.onnx, 'x', input, [2, 6], taps);
    for (const d of diffs) assert.ok(d.maxAbsDiff <= 1e-5, `${d.name}: max |onnx - tfjs| ${d.maxAbsDiff}`);
    assert.ok(diffs.find((d) => d.name === 'imod_f')?.maxAbsRef, 'integer modulo produced values');
  });

  it('writes MobileNetV3\'s hard-swish and hard-sigmoid chains as one HardSwish / HardSigmoid node, same values as tfjs', async function () {
    const g = new TfjsGraphFile();
    const f = { T: T('DT_FLOAT') };
    const x = g.placeholder('x', [1, 2, 2, 3]);
    // As TF exports them, with 1/6 as the fp16 weights store it.
    const sixth = g.const('sixth', 'DT_FLOAT', [], [0.1666259765625]);
    const three = g.const('three', 'DT_FLOAT', [], [3]);
    const relu6 = (name: string): string => g.op(`${name}/Relu6`, 'Relu6', [g.op(`${name}/add`, 'AddV2', [x, three], f)], f);
    const swish = g.op('hs/mul_1', 'Mul', [g.op('hs/mul', 'Mul', [sixth, x], f), relu6('hs')], f);
    const sigmoid = g.op('hsig/mul', 'Mul', [sixth, relu6('hsig')], f);
    // A chain whose relu6(x+3) is also read elsewhere is left as it is.
    const shared = relu6('shared');
    const kept = g.op('shared/mul_1', 'Mul', [g.op('shared/mul', 'Mul', [sixth, x], f), shared], f);
    const taps = [swish, sigmoid, kept, g.op('shared/also', 'Mul', [shared, three], f)];
    const modelJson = g.write(tmp.dir);

    const conv = await convertTfjsGraphModel({ modelJsonPath: modelJson, outputs: taps });
    assert.deepEqual(conv.fused, { hardSwish: 1, hardSigmoid: 1 });
    const ops = (onnx.ModelProto.decode(conv.onnx).graph?.node ?? []).map((n) => n.opType);
    assert.equal(ops.filter((o) => o === 'HardSwish').length, 1);
    assert.equal(ops.filter((o) => o === 'HardSigmoid').length, 1);
    assert.equal(ops.filter((o) => o === 'Clip').length, 1, 'the shared chain keeps its relu6');
    // Both sides of every kink (-3, 3) and the saturation, where the two forms could part.
    const input = new Float32Array([-9, -3.01, -3, -2.99, -1, 0, 0.5, 1, 2.99, 3, 3.01, 40]);
    const diffs = await crossCheck(modelJson, conv.onnx, 'x', input, [1, 2, 2, 3], taps);
    // 1/6 vs the stored 0.16662598: at most 6 x 0.16662598 = 0.99976, relative 2.4e-4 (fuse-activations.ts).
    for (const d of diffs) assert.ok(d.maxAbsDiff <= 2.5e-4 * Math.max(1, d.maxAbsRef), `${d.name}: max |onnx - tfjs| ${d.maxAbsDiff} of ${d.maxAbsRef}`);
  });

  it('refuses an op it cannot translate, naming it', async function () {
    const g = new TfjsGraphFile();
    const x = g.placeholder('x', [1, 4]);
    g.op('y', 'Softplus', [x], { T: T('DT_FLOAT') });
    await assert.rejects(convertTfjsGraphModel({ modelJsonPath: g.write(tmp.dir), outputs: ['y'] }), /Softplus/);
  });
});
