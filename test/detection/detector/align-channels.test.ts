import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { onnx } from 'onnx-proto';
import * as ort from 'onnxruntime-node';
import { loadManifest } from '../../../agent/detection/detector/manifest.js';
import { modelFeeds } from '../../../agent/detection/detector/model-feeds.js';
import { detectorSessionOptions } from '../../../agent/detection/detector/session-options.js';
import { inputFeed } from '../../../agent/detection/detector/worker-protocol.js';
import { planWindows, wholeFrameRegion } from '../../../agent/detection/windows.js';
import { pixelBox } from '../../../agent/detection/coords.js';
import { evenRegion } from '../../../agent/detection/detector/i420-crop.js';
import type { VideoFrame } from '../../../agent/ingest/types.js';
import { NCHWC_BLOCK, withAlignedChannels } from '../../../models/converter/align-channels.js';
import { withCellMax } from '../../../models/converter/cell-max.js';
import { withI420Input } from '../../../models/converter/i420-input.js';
import { OnnxGraphBuilder } from '../../../models/converter/onnx-graph.js';
import { CENTERNET_FRAME_SHAPE, CENTERNET_HEADS, CENTERNET_HEADS_OUTPUT, CENTERNET_INPUT } from '../../../scripts/centernet-variants.js';
import { convertCenternetFrameShaped, convertCenternetHeads, type ConvertedGraph } from '../../../scripts/convert-model.js';
import { tempDir } from '../../support/tmp.js';
import { CLIPS, clipFrames, DARKNET_DATA, loadJpeg, rgbaToI420Frame } from './images.js';
import { FRAME_SHAPED_MANIFEST_PATH, variantPath } from './model.js';

const HEADS = { heads: CENTERNET_HEADS_OUTPUT, heatmaps: CENTERNET_HEADS[0] };

/** Channel counts of a graph's depthwise convolutions, by node name. */
function depthwiseChannels(bytes: Uint8Array): Map<string, number> {
  const g = onnx.ModelProto.decode(bytes).graph as onnx.GraphProto;
  const dims = new Map(g.initializer.map((t) => [t.name ?? '', (t.dims ?? []).map(Number)]));
  const out = new Map<string, number>();
  for (const n of g.node) {
    const group = Number(n.attribute?.find((a) => a.name === 'group')?.i ?? 1);
    const w = dims.get(n.input?.[1] ?? '');
    if (n.opType === 'Conv' && group > 1 && w?.[1] === 1) out.set(n.name ?? '', group);
  }
  return out;
}

describe('detector: the frame-shaped models keep onnxruntime in its blocked layout (channels in whole blocks)', function () {
  let heads: ConvertedGraph;
  let unaligned: Uint8Array;

  before(async function () {
    // The default's graph as it was before the alignment: the same steps without it.
    heads = await convertCenternetHeads(CENTERNET_FRAME_SHAPE.width, undefined, CENTERNET_FRAME_SHAPE.height, true);
    unaligned = withCellMax(withI420Input(heads.bytes, { inputName: CENTERNET_INPUT }), HEADS);
  });

  it('set-up pads the head\'s two narrow depthwise stages, 18 and 22 channels, to 24 (1.4 % more MACs) and leaves every other one', async function () {
    const aligned = withAlignedChannels(heads.bytes);
    assert.deepEqual(aligned.padded.map((p) => [p.depthwise.split('/')[2], p.from, p.to]), [['c2_reverse', 18, 24], ['c4_reverse', 22, 24]]);
    for (const file of ['centernet-512x288', 'centernet-512x288-road', 'centernet-448x256-road']) {
      const channels = depthwiseChannels(readFileSync(variantPath(file)));
      assert.ok(channels.size >= 20, `${file}: ${channels.size} depthwise convolutions`);
      for (const [name, c] of channels) assert.equal(c % NCHWC_BLOCK, 0, `${file}: ${name} has ${c} channels`);
    }
    const before = depthwiseChannels(unaligned);
    assert.deepEqual([...before].filter(([, c]) => c % NCHWC_BLOCK !== 0).map(([, c]) => c), [18, 22]);
    // The three convolutions of a stage each cost to/from as much: about 9 M more of 0.65 G.
    const model = await convertCenternetFrameShaped();
    const added = model.macs - heads.macs;
    assert.ok(added > 8e6 && added < 10e6 && added / model.macs < 0.015, `${added} MACs added to ${model.macs}`);
  });

  it('computes the same heads as the graph without padding, on street frames and photos, whole and in windows', async function () {
    const frames: VideoFrame[] = [
      ...clipFrames(CLIPS.vehicles, 2, 3, 'street'),
      rgbaToI420Frame(loadJpeg(`${DARKNET_DATA}/person.jpg`), 'person.jpg'),
    ];
    const manifest = loadManifest(FRAME_SHAPED_MANIFEST_PATH);
    const feed = inputFeed(manifest);
    const [padded, plain] = await Promise.all([ort.InferenceSession.create(manifest.modelPath, { intraOpNumThreads: 2 }), ort.InferenceSession.create(unaligned, { intraOpNumThreads: 2 })]);
    try {
      let compared = 0;
      for (const frame of frames) {
        const whole = wholeFrameRegion(frame.width, frame.height, CENTERNET_FRAME_SHAPE);
        const interest = pixelBox(frame.width / 3, frame.height / 3, frame.width / 2, frame.height / 2);
        const window = evenRegion(planWindows([interest], frame.width, frame.height, { ...CENTERNET_FRAME_SHAPE, stride: 32 })[0]);
        for (const region of [whole, window]) {
          // A window at the whole frame's scale, rounded to the stride (what DetectorService feeds it).
          const side = (span: number): number => Math.max(32, Math.round((span * CENTERNET_FRAME_SHAPE.width) / whole[2] / 32) * 32);
          const size = region === whole ? CENTERNET_FRAME_SHAPE : { width: side(region[2] - region[0]), height: side(region[3] - region[1]) };
          const a = (await padded.run(modelFeeds(frame, region, feed, size)))[CENTERNET_HEADS_OUTPUT].data as Float32Array;
          const b = (await plain.run(modelFeeds(frame, region, feed, size)))[CENTERNET_HEADS_OUTPUT].data as Float32Array;
          assert.equal(a.length, b.length);
          let worst = 0;
          // Distances are in input pixels, scores 0..1: the summation order of another kernel, nothing more.
          for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]) / Math.max(1, Math.abs(b[i])));
          assert.ok(worst < 1e-3, `${frame.cameraId} ${region.join(',')}: differs by ${worst}`);
          compared++;
        }
      }
      assert.equal(compared, frames.length * 2);
    } finally {
      await Promise.all([padded.release(), plain.release()]);
    }
  });

  it('onnxruntime then runs every convolution of the default in its blocked layout, where the graph without padding has four in plain NCHW', async function () {
    const tmp = tempDir('align-channels-');
    try {
      // The convolutions of onnxruntime's own optimised graph: in its blocked layout (NCHWc domain) or plain.
      const convs = async (model: string | Uint8Array, name: string): Promise<{ blocked: number; plain: string[] }> => {
        const optimizedModelFilePath = path.join(tmp.dir, `${name}.onnx`);
        const session = await ort.InferenceSession.create(model as string, { ...detectorSessionOptions(2), optimizedModelFilePath, logSeverityLevel: 3 });
        await session.release();
        const all = (onnx.ModelProto.decode(readFileSync(optimizedModelFilePath)).graph as onnx.GraphProto).node.filter((n) => n.opType === 'Conv');
        return { blocked: all.filter((n) => n.domain).length, plain: all.filter((n) => !n.domain).map((n) => n.name ?? '') };
      };
      const [padded, before] = [await convs(variantPath('centernet-512x288-road'), 'road'), await convs(unaligned, 'plain')];
      // MLAS's blocked layout is its x86 one: there it must block all; an onnxruntime without it (ARM) blocks none either way.
      if (process.arch === 'x64') assert.ok(before.blocked > 0, 'onnxruntime on x86 runs convolutions in its blocked layout');
      if (before.blocked === 0) {
        assert.equal(padded.blocked, 0, 'no blocked layout on this CPU: padding changes none');
        return;
      }
      assert.deepEqual(padded.plain, []);
      assert.equal(before.plain.length, 4, before.plain.join('\n'));
      assert.ok(before.plain.every((n) => /c[24]_reverse/.test(n)), before.plain.join('\n'));
    } finally {
      tmp.cleanup();
    }
  });

  it('pads a squeeze → depthwise → expansion chain exactly, and leaves a depthwise stage it cannot pad as it is', async function () {
    const chain = (producer: 'conv' | 'input', alsoRead?: 'd' | 'sr', depthwiseIsOutput = false): Uint8Array => {
      const g = new OnnxGraphBuilder();
      g.input('x', 'float32', [1, 4, 5, 7]);
      const weights = (name: string, dims: number[]): string => g.constant(name, 'float32', dims, Array.from({ length: dims.reduce((a, b) => a * b, 1) }, (_, i) => Math.sin(i * 1.3 + dims[0])));
      let into = 'x';
      let channels = 4;
      if (producer === 'conv') {
        g.node('Conv', ['x', weights('w1', [6, 4, 1, 1]), weights('b1', [6])], ['s'], 'squeeze', { kernel_shape: [1, 1] });
        g.node('Relu', ['s'], ['sr'], 'relu');
        into = 'sr';
        channels = 6;
      }
      g.node('Conv', [into, weights('wd', [channels, 1, 3, 3])], ['d'], 'depthwise', { kernel_shape: [3, 3], pads: [1, 1, 1, 1], group: channels });
      g.node('Conv', ['d', weights('w2', [5, channels, 1, 1]), weights('b2', [5])], ['y'], 'expand', { kernel_shape: [1, 1] });
      g.output('y', 'float32', [1, 5, 5, 7]);
      if (depthwiseIsOutput) g.output('d', 'float32', [1, channels, 5, 7]);
      if (alsoRead) {
        g.node('Relu', [alsoRead], ['z'], 'other_reader');
        g.output('z', 'float32', [1, channels, 5, 7]);
      }
      return g.encode('t', 't', '');
    };
    const x = new ort.Tensor('float32', Float32Array.from({ length: 4 * 5 * 7 }, (_, i) => Math.cos(i * 0.7) * 3), [1, 4, 5, 7]);
    const run = async (bytes: Uint8Array): Promise<Float32Array> => {
      const s = await ort.InferenceSession.create(bytes);
      try {
        return (await s.run({ x }))['y'].data as Float32Array;
      } finally {
        await s.release();
      }
    };
    const model = chain('conv');
    const aligned = withAlignedChannels(model);
    assert.deepEqual(aligned.padded, [{ depthwise: 'depthwise', convs: ['squeeze', 'depthwise', 'expand'], from: 6, to: 8 }]);
    assert.deepEqual([...depthwiseChannels(aligned.bytes).values()], [8]);
    const [want, got] = await Promise.all([run(model), run(aligned.bytes)]);
    assert.ok(want.some((v) => Math.abs(v) > 0.5), 'a non-trivial output');
    want.forEach((v, i) => assert.ok(Math.abs(got[i] - v) < 1e-5, `output ${i}: ${got[i]} vs ${v}`));

    const cannot = [['no Conv before it', chain('input')], ['another reader of its output', chain('conv', 'd')], ['another reader of its input', chain('conv', 'sr')], ['its output a graph output too', chain('conv', undefined, true)]] as const;
    for (const [why, bytes] of cannot) {
      const left = withAlignedChannels(bytes);
      assert.deepEqual(left.padded, [], why);
      assert.ok(Buffer.from(left.bytes).equals(Buffer.from(onnx.ModelProto.encode(onnx.ModelProto.decode(bytes)).finish())), `${why}: unchanged`);
    }
  });
});
