import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import * as ort from 'onnxruntime-node';
import { onnx } from 'onnx-proto';
import { convertTfjsGraphModel } from '../../models/converter/convert.js';
import { CENTERNET_OUTPUT, centernetSourcePath } from '../../scripts/convert-model.js';
import { DARKNET_DATA, loadJpeg, resizeToNhwc } from './images.js';
import { ensureModel, MODEL_PATH } from './model.js';

const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

describe('detector: TFJS → ONNX converter', function () {
  before(ensureModel);

  it('is deterministic: a fresh conversion gives the same bytes as the set-up made', async function () {
    const again = await convertTfjsGraphModel({ modelJsonPath: centernetSourcePath(), outputs: [CENTERNET_OUTPUT], graphName: 'centernet' });
    const onDisk = readFileSync(MODEL_PATH);
    assert.equal(again.onnx.length, onDisk.length);
    assert.equal(sha(again.onnx), sha(onDisk));
  });

  it('writes opset 13 with static input/output shapes and only the ops it translated', function () {
    const model = onnx.ModelProto.decode(readFileSync(MODEL_PATH));
    assert.equal(Number(model.opsetImport[0].version), 13);
    const g = model.graph as onnx.GraphProto;
    assert.deepEqual(g.input.map((i) => i.name), ['tower_0/images']);
    assert.deepEqual(g.input[0].type?.tensorType?.shape?.dim?.map((d) => Number(d.dimValue)), [1, 512, 512, 3]);
    assert.deepEqual(g.output.map((o) => o.name), ['tower_0/detections']);
    assert.deepEqual(g.output[0].type?.tensorType?.shape?.dim?.map((d) => Number(d.dimValue)), [1, 100, 6]);
    const ops = new Set(g.node.map((n) => n.opType));
    for (const op of ['Conv', 'Transpose', 'Resize', 'TopK', 'Gather', 'MaxPool']) assert.ok(ops.has(op), `no ${op}`);
  });

  it('matches tfjs layer by layer on a real photo (backbone, head, decoded boxes)', async function () {
    // The tfjs CPU backend running the original graph is the reference for intermediate tensors.
    const tf = await import('@tensorflow/tfjs-core');
    const { loadTfjsGraph } = await import('../../models/converter/tfjs-graph.js');
    const taps = ['tower_0/MobilenetV3/expanded_conv_3/squeeze_excite/mul', 'tower_0/keypoints', 'tower_0/wh'];
    // Expose the taps as extra outputs of the set-up's model (the tensors keep their TF names).
    const model = onnx.ModelProto.decode(readFileSync(MODEL_PATH));
    const graphProto = model.graph as onnx.GraphProto;
    for (const name of taps) graphProto.output.push(onnx.ValueInfoProto.create({ name, type: { tensorType: { elemType: onnx.TensorProto.DataType.FLOAT } } }));
    const input = resizeToNhwc(loadJpeg(`${DARKNET_DATA}/person.jpg`), 512, 512);
    const session = await ort.InferenceSession.create(onnx.ModelProto.encode(model).finish());
    const ours = await session.run({ 'tower_0/images': new ort.Tensor('float32', input, [1, 512, 512, 3]) });
    const graph = await loadTfjsGraph(centernetSourcePath());
    const x = tf.tensor(input, [1, 512, 512, 3]);
    const ref = graph.model.execute(x, [...taps, CENTERNET_OUTPUT]) as import('@tensorflow/tfjs-core').Tensor[];
    [...taps, CENTERNET_OUTPUT].forEach((name, i) => {
      const a = ours[name].data as Float32Array;
      const b = ref[i].dataSync() as Float32Array;
      assert.equal(a.length, b.length, name);
      let maxDiff = 0;
      let maxRef = 0;
      for (let k = 0; k < a.length; k++) {
        maxDiff = Math.max(maxDiff, Math.abs(a[k] - b[k]));
        maxRef = Math.max(maxRef, Math.abs(b[k]));
      }
      assert.ok(maxDiff <= 1e-3 * Math.max(1, maxRef), `${name}: max |onnx - tfjs| = ${maxDiff} (max |ref| ${maxRef})`);
    });
    tf.dispose([x, ...ref]);
    graph.model.dispose();
    await session.release();
  });
});
