import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { onnx } from 'onnx-proto';
import { convertTfjsGraphModel } from '../../../models/converter/convert.js';
import { crossCheck } from '../../../models/converter/cross-check.js';
import { CENTERNET_SIZES } from '../../../scripts/centernet-variants.js';
import { CENTERNET_OUTPUT, centernetSourcePath, convertCenternetHeads } from '../../../scripts/convert-model.js';
import { DARKNET_DATA, loadJpeg, resizeToNhwc } from './images.js';
import { ensureHeadsModel, ensureModel, MODEL_PATH } from './model.js';

const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

describe('detector: TFJS → ONNX converter', function () {
  before(ensureModel);

  it('is deterministic: two conversions give the same bytes as each other and as the set-up made', async function () {
    const convert = (): Promise<{ onnx: Uint8Array }> => convertTfjsGraphModel({ modelJsonPath: centernetSourcePath(), outputs: [CENTERNET_OUTPUT], graphName: 'centernet' });
    const first = await convert();
    const second = await convert();
    const onDisk = readFileSync(MODEL_PATH);
    assert.ok(Buffer.from(first.onnx).equals(Buffer.from(second.onnx)), 'two conversions in one process differ');
    assert.equal(first.onnx.length, onDisk.length);
    assert.equal(sha(first.onnx), sha(onDisk), 'differs from the set-up\'s file (re-run scripts/setup.sh after changing the converter)');
  });

  it('head-cut variants are deterministic too, one [1,S/4,S/4,84] heads output each, as the set-up wrote them', async function () {
    const again = await convertCenternetHeads(320);
    for (const size of CENTERNET_SIZES) {
      const v = await convertCenternetHeads(size);
      if (size === 320) assert.ok(Buffer.from(v.bytes).equals(Buffer.from(again.bytes)), 'two conversions at 320 differ');
      assert.equal(v.sha256, sha(readFileSync(await ensureHeadsModel(size))), `centernet-${size}.onnx differs from the set-up's (re-run scripts/setup.sh)`);
      const g = onnx.ModelProto.decode(v.bytes).graph as onnx.GraphProto;
      assert.deepEqual(g.input[0].type?.tensorType?.shape?.dim?.map((d) => Number(d.dimValue)), [1, size, size, 3]);
      assert.deepEqual(g.output[0].type?.tensorType?.shape?.dim?.map((d) => Number(d.dimValue)), [1, size / 4, size / 4, 84]);
      assert.ok(!g.node.some((n) => n.opType === 'TopK'), 'the graph\'s decode is cut away');
    }
  });

  it('writes opset 14 with static input/output shapes and only the ops it translated', function () {
    const model = onnx.ModelProto.decode(readFileSync(MODEL_PATH));
    assert.equal(Number(model.opsetImport[0].version), 14);
    const g = model.graph as onnx.GraphProto;
    assert.deepEqual(g.input.map((i) => i.name), ['tower_0/images']);
    assert.deepEqual(g.input[0].type?.tensorType?.shape?.dim?.map((d) => Number(d.dimValue)), [1, 512, 512, 3]);
    assert.deepEqual(g.output.map((o) => o.name), ['tower_0/detections']);
    assert.deepEqual(g.output[0].type?.tensorType?.shape?.dim?.map((d) => Number(d.dimValue)), [1, 100, 6]);
    const ops = new Set(g.node.map((n) => n.opType));
    for (const op of ['Conv', 'Transpose', 'Resize', 'TopK', 'Gather', 'MaxPool', 'HardSwish', 'HardSigmoid']) assert.ok(ops.has(op), `no ${op}`);
    assert.ok(!ops.has('Clip'), 'every relu6(x + 3) chain is a fused hard-swish or hard-sigmoid');
  });

  it('matches tfjs tensor by tensor on a real photo (backbone through a squeeze-excite block)', async function () {
    // The tfjs CPU backend running the original graph is the reference. Its full network is slow on
    // a shared box, so the test taps the backbone (fused/depthwise convs, hard-swish, SE mean);
    // the head and in-graph decoding are held to the oracle figures, and
    // `npx tsx models/converter/cross-check.ts` compares every head output when debugging.
    const taps = ['tower_0/MobilenetV3/expanded_conv_1/depthwise/depthwise', 'tower_0/MobilenetV3/expanded_conv_3/squeeze_excite/mul'];
    const input = resizeToNhwc(loadJpeg(`${DARKNET_DATA}/person.jpg`), 512, 512);
    const diffs = await crossCheck(centernetSourcePath(), readFileSync(MODEL_PATH), 'tower_0/images', input, [1, 512, 512, 3], taps);
    for (const d of diffs) {
      assert.ok(d.maxAbsRef > 0.1, `${d.name} carries signal`);
      // The fused activations use 1/6 where the graph stores its fp16 rounding (fuse-activations.ts):
      // 2.4e-4 per activation, 1.4e-3 after the eight of the first four blocks. A mistranslation is O(1).
      assert.ok(d.maxAbsDiff <= 3e-3 * Math.max(1, d.maxAbsRef), `${d.name}: max |onnx - tfjs| = ${d.maxAbsDiff} (max |ref| ${d.maxAbsRef})`);
    }
  });
});
