import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { onnx } from 'onnx-proto';
import * as ort from 'onnxruntime-node';
import { pixelBox } from '../../../agent/detection/coords.js';
import { DetectorService, iou } from '../../../agent/detection/detector/index.js';
import { cropI420Planes, evenRegion, regionPlanes } from '../../../agent/detection/detector/i420-crop.js';
import { wholeFrameRegion } from '../../../agent/detection/windows.js';
import type { Detection, PixelBox } from '../../../agent/detection/types.js';
import type { VideoFrame } from '../../../agent/ingest/types.js';
import { loadManifest } from '../../../agent/detection/detector/manifest.js';
import { modelFeeds } from '../../../agent/detection/detector/model-feeds.js';
import { inputFeed } from '../../../agent/detection/detector/worker-protocol.js';
import { withCellMax } from '../../../models/converter/cell-max.js';
import { I420_SIZE_INPUT, I420_UV_INPUT, I420_Y_INPUT, withI420Input } from '../../../models/converter/i420-input.js';
import { OnnxGraphBuilder } from '../../../models/converter/onnx-graph.js';
import { CENTERNET_FRAME_SHAPE, CENTERNET_HEADS_OUTPUT, CENTERNET_INPUT } from '../../../scripts/centernet-variants.js';
import { convertCenternetFrameShaped, convertCenternetHeads } from '../../../scripts/convert-model.js';
import { tempDir } from '../../support/tmp.js';
import { matches } from '../stage/gate-scoring.js';
import { CLIPS, clipFrames, DARKNET_DATA, loadJpeg, rgbaToI420Frame } from './images.js';
import { FRAME_SHAPED_MANIFEST_PATH, variantPath } from './model.js';

/** Every detection of `a` scoring >= 0.3 has one of the same label in `b` (the gate's match: IoU >= 0.5): worst IoU, score difference. */
function compare(a: Detection[], b: Detection[]): { found: number; of: number; worstIou: number; worstScore: number } {
  let found = 0;
  let worstIou = 1;
  let worstScore = 0;
  const wanted = a.filter((d) => d.score >= 0.3);
  for (const d of wanted) {
    const m = b.filter((x) => x.label === d.label).sort((p, q) => iou(q.box, d.box) - iou(p.box, d.box))[0];
    if (!m || !matches(m, d)) continue;
    found++;
    worstIou = Math.min(worstIou, iou(m.box, d.box));
    worstScore = Math.max(worstScore, Math.abs(m.score - d.score));
  }
  return { found, of: wanted.length, worstIou, worstScore };
}

describe('detector: the frame-shaped models take I420 and pick candidate cells in their graph', function () {
  let tmp: { dir: string; cleanup: () => void };
  let i420: DetectorService;
  let float: DetectorService;
  let frames: VideoFrame[];

  before(async function () {
    tmp = tempDir('detector-i420-');
    // The same weights with the float RGB input, fed by the JavaScript preprocessing (preprocess.ts).
    const floatModel = join(tmp.dir, 'centernet-512x288-float.onnx');
    writeFileSync(floatModel, (await convertCenternetHeads(CENTERNET_FRAME_SHAPE.width, undefined, CENTERNET_FRAME_SHAPE.height)).bytes);
    const manifest = JSON.parse(readFileSync(FRAME_SHAPED_MANIFEST_PATH, 'utf8')) as { file: string; input: Record<string, unknown>; output: Record<string, unknown> };
    const { format, uvName, sizeName, stride, ...floatInput } = manifest.input;
    assert.deepEqual([format, uvName, sizeName, stride], ['i420', I420_UV_INPUT, I420_SIZE_INPUT, 32], 'the frame-shaped manifest takes I420, and windows of the frame');
    const floatManifest = join(tmp.dir, 'float.manifest.json');
    writeFileSync(floatManifest, JSON.stringify({ ...manifest, file: floatModel, input: { ...floatInput, name: CENTERNET_INPUT }, output: { ...manifest.output, cellMax: false } }));
    i420 = await DetectorService.load({ manifestPath: FRAME_SHAPED_MANIFEST_PATH, threads: 2, queueSize: 4 });
    float = await DetectorService.load({ manifestPath: floatManifest, threads: 2, queueSize: 4 });
    frames = [
      ...clipFrames(CLIPS.vehicles, 3, 3, 'street'),
      ...clipFrames(CLIPS.pedestrians, 2, 3, 'plaza'),
      ...clipFrames(CLIPS.parking, 4, 2, 'parking'),
      // 4:3 and other photo shapes: seen letterboxed to 16:9, black rows past the picture.
      ...['dog.jpg', 'person.jpg', 'horses.jpg'].map((p) => rgbaToI420Frame(loadJpeg(`${DARKNET_DATA}/${p}`))),
    ];
  });
  after(async function () {
    await i420?.close();
    await float?.close();
    tmp?.cleanup();
  });

  const both = async (frame: VideoFrame, region: PixelBox): Promise<[Detection[], Detection[]]> => {
    const a = await float.detect({ cameraId: 'float', frame, regions: [region] });
    const b = await i420.detect({ cameraId: 'i420', frame, regions: [region] });
    assert.ok(a !== 'dropped' && b !== 'dropped');
    return [a, b];
  };

  it('the frame-shaped model finds on whole frames what the same weights find with the JavaScript preprocessing', async function () {
    let found = 0;
    let of = 0;
    for (const frame of frames) {
      const [js, graph] = await both(frame, wholeFrameRegion(frame.width, frame.height, i420.inputSize));
      const there = compare(js, graph);
      const back = compare(graph, js);
      found += there.found + back.found;
      of += there.of + back.of;
      // Same sampling; only the clip to 0..255 the graph leaves out moves a score (saturated colours).
      assert.ok(there.worstScore < 0.05 && back.worstScore < 0.05, `${frame.cameraId} ${frame.seq}: scores differ by ${there.worstScore}/${back.worstScore}`);
      assert.ok(there.worstIou > 0.9 && back.worstIou > 0.9, `${frame.cameraId} ${frame.seq}: boxes IoU ${there.worstIou}/${back.worstIou}`);
    }
    assert.ok(of > 40, `enough objects to compare: ${of}`);
    assert.equal(found, of, 'each side finds every object of the other (score >= 0.3, IoU >= 0.5)');
  });

  it('a window of the frame (inside, past the frame edges, odd edges) finds what the whole frame shows inside it, in the same frame pixels', async function () {
    // A window is seen at the whole frame's scale (the graph resizes it to its share of 512x288), so
    // an object well inside it is seen as in the whole frame; only context differs (the network's
    // padding at the window's edges, its squeeze-excite averages over the window).
    const regions = [pixelBox(100, 32, 420, 212), pixelBox(-130, -50, 382, 238), pixelBox(300, 150, 812, 438), pixelBox(101, 33, 421, 213)];
    const inside = (d: Detection, r: PixelBox, frame: VideoFrame): boolean =>
      d.box[0] >= Math.max(0, r[0]) + 16 && d.box[1] >= Math.max(0, r[1]) + 16 && d.box[2] <= Math.min(frame.width, r[2]) - 16 && d.box[3] <= Math.min(frame.height, r[3]) - 16;
    let found = 0;
    let of = 0;
    let worstIou = 1;
    for (const frame of frames) {
      const whole = await i420.detect({ cameraId: 'whole', frame, regions: [wholeFrameRegion(frame.width, frame.height, i420.inputSize)] });
      assert.ok(whole !== 'dropped');
      for (const region of regions) {
        const window = await i420.detect({ cameraId: 'window', frame, regions: [region] });
        assert.ok(window !== 'dropped');
        const c = compare(whole.filter((d) => inside(d, region, frame)), window);
        found += c.found;
        of += c.of;
        if (c.found > 0) worstIou = Math.min(worstIou, c.worstIou);
      }
    }
    console.log(`      ${found} of ${of} objects inside windows found, worst IoU ${worstIou.toFixed(2)}`);
    assert.ok(of > 40, `enough objects to compare: ${of}`);
    // Found: the same label at IoU >= 0.5 (the gate's match); measured 46 of 46, worst IoU 0.61.
    assert.ok(found >= 0.95 * of, `${found} of ${of} found`);
  });

  it('set-up wrote the frame-shaped model from the head-cut model with the I420 inputs and the cell-max channel (same bytes)', async function () {
    const model = await convertCenternetFrameShaped();
    assert.ok(Buffer.from(model.bytes).equals(readFileSync(variantPath('centernet-512x288'))), 'differs from the set-up\'s file (re-run scripts/setup.sh)');
    const g = onnx.ModelProto.decode(model.bytes).graph as onnx.GraphProto;
    const { UINT8, INT64 } = onnx.TensorProto.DataType;
    assert.deepEqual(g.input.map((i) => [i.name, i.type?.tensorType?.elemType]), [[I420_Y_INPUT, UINT8], [I420_UV_INPUT, UINT8], [I420_SIZE_INPUT, INT64]]);
    // Height and width follow the size input (a window of the frame): only batch and channels are fixed.
    assert.deepEqual(g.output[0].type?.tensorType?.shape?.dim?.map((d) => d.dimParam || Number(d.dimValue)), [1, `${CENTERNET_HEADS_OUTPUT}_height`, `${CENTERNET_HEADS_OUTPUT}_width`, 85], '80 heatmaps, 4 distances, the cell max');
  });

  it('the cell-max channel is each cell\'s best class score', async function () {
    const session = await ort.InferenceSession.create(variantPath('centernet-512x288'), { intraOpNumThreads: 2 });
    try {
      const frame = frames[0];
      const out = (await session.run(modelFeeds(frame, pixelBox(0, 0, frame.width, frame.height), inputFeed(loadManifest(FRAME_SHAPED_MANIFEST_PATH)), CENTERNET_FRAME_SHAPE)))[CENTERNET_HEADS_OUTPUT];
      const data = out.data as Float32Array;
      let worst = 0;
      for (let cell = 0; cell < 72 * 128; cell++) {
        const scores = data.subarray(cell * 85, cell * 85 + 80);
        worst = Math.max(worst, Math.abs(Math.max(...scores) - data[cell * 85 + 84]));
      }
      assert.equal(worst, 0);
    } finally {
      await session.release();
    }
  });

  it('refuses heads that are not a Concat of heatmaps and distances', function () {
    const g = new OnnxGraphBuilder();
    g.input('x', 'float32', [1, 2, 2, 84]);
    g.node('Relu', ['x'], ['heads'], 'relu');
    g.output('heads', 'float32', [1, 2, 2, 84]);
    assert.throws(() => withCellMax(g.encode('t', 't', ''), { heads: 'heads', heatmaps: 'x' }), /must be a graph output joined by a Concat/);
  });

  it('refuses a graph whose input does not feed one NHWC→NCHW transpose and a convolution', function () {
    const g = new OnnxGraphBuilder();
    g.input('rgb', 'float32', [1, 8, 8, 3]);
    g.node('Relu', ['rgb'], ['out'], 'relu');
    g.output('out', 'float32', [1, 8, 8, 3]);
    assert.throws(() => withI420Input(g.encode('t', 't', ''), { inputName: 'rgb' }), /must feed one NHWC→NCHW Transpose/);
  });
});

describe('detector: I420 planes of a region', function () {
  const frame = { width: 8, height: 4, data: Uint8Array.from({ length: 8 * 4 * 1.5 }, (_, i) => i) };

  it('the whole frame is handed over as views of its own bytes, no copy', function () {
    const p = regionPlanes(frame, pixelBox(0, 0, 8, 4));
    assert.equal(p.y.buffer, frame.data.buffer);
    assert.deepEqual([p.y.byteOffset, p.y.length, p.uv.byteOffset, p.uv.length], [0, 32, 32, 16]);
  });

  it('a crop copies its rows, black (Y 16, U/V 128) past the frame, snapped outwards to even pixels', function () {
    const r = evenRegion(pixelBox(-1, 1, 4, 4));
    assert.deepEqual(r, [-2, 0, 4, 4]);
    assert.deepEqual(evenRegion(pixelBox(100.5, 33.2, 421.7, 212.9)), [100, 32, 422, 214], 'fractional regions: whole even pixels, outwards');
    const p = cropI420Planes(frame, r);
    assert.deepEqual([p.width, p.height], [6, 4]);
    assert.deepEqual(Array.from(p.y.subarray(0, 6)), [16, 16, 0, 1, 2, 3]);
    assert.deepEqual(Array.from(p.uv.subarray(0, 3)), [128, 32, 33], 'U row 0: black, then the frame\'s U');
    assert.deepEqual(Array.from(p.uv.subarray(6, 9)), [128, 40, 41], 'V row 0');
    assert.deepEqual(regionPlanes(frame, r), p, 'not the whole frame: a copy');
  });
});
