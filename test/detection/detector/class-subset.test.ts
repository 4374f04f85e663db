import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { onnx } from 'onnx-proto';
import * as ort from 'onnxruntime-node';
import { DetectionSection } from '../../../agent/config/schema/detection.js';
import { INSTALL_ROOT } from '../../../agent/core/version.js';
import { DetectorService } from '../../../agent/detection/detector/index.js';
import { loadManifest } from '../../../agent/detection/detector/manifest.js';
import { modelFeeds } from '../../../agent/detection/detector/model-feeds.js';
import { inputFeed } from '../../../agent/detection/detector/worker-protocol.js';
import { wholeFrameRegion } from '../../../agent/detection/windows.js';
import type { VideoFrame } from '../../../agent/ingest/types.js';
import { withClassSubset } from '../../../models/converter/class-subset.js';
import { OnnxGraphBuilder } from '../../../models/converter/onnx-graph.js';
import { CENTERNET_SMALL_SHAPE, CENTERNET_FRAME_SHAPE, CENTERNET_HEADS, CENTERNET_HEADS_OUTPUT, ROAD_LABELS, roadClassIndices } from '../../../scripts/centernet-variants.js';
import { convertCenternetFrameShaped, convertCenternetHeads } from '../../../scripts/convert-model.js';
import { CLIPS, clipFrames, DARKNET_DATA, loadJpeg, rgbaToI420Frame } from './images.js';
import { DEFAULT_MANIFEST_PATH, FRAME_SHAPED_MANIFEST_PATH, MANIFEST_PATH, variantManifestPath, variantPath } from './model.js';

const COCO = (JSON.parse(readFileSync(MANIFEST_PATH, 'utf8')) as { labels: string[] }).labels;
const HEADS = { heads: CENTERNET_HEADS_OUTPUT, heatmaps: CENTERNET_HEADS[0] };

describe('detector: the default keeps only the road users\' classes', function () {
  let frames: VideoFrame[];

  before(function () {
    frames = [
      ...clipFrames(CLIPS.vehicles, 3, 3, 'street'),
      ...['person.jpg', 'dog.jpg'].map((f) => rgbaToI420Frame(loadJpeg(`${DARKNET_DATA}/${f}`), f)),
    ];
  });

  it('set-up wrote it from the frame-shaped model, the class head cut to the six labels the agent tracks (same bytes, 87 M fewer MACs)', async function () {
    const [all, road] = await Promise.all([convertCenternetFrameShaped(), convertCenternetFrameShaped(undefined, 'road')]);
    assert.ok(Buffer.from(road.bytes).equals(readFileSync(variantPath('centernet-512x288-road'))), 'differs from the set-up\'s file (re-run scripts/setup.sh)');
    // The class convolution: 128 input channels, 1x1, at a quarter of 512x288; 74 of its 80 rows dropped.
    assert.equal(all.macs - road.macs, 74 * 128 * (512 / 4) * (288 / 4));
    const g = onnx.ModelProto.decode(road.bytes).graph as onnx.GraphProto;
    assert.equal(Number(g.output[0].type?.tensorType?.shape?.dim?.[3].dimValue), 11, '6 heatmaps, 4 distances, the cell max');
    const manifest = loadManifest(DEFAULT_MANIFEST_PATH);
    assert.deepEqual(manifest.labels, ['person', 'bicycle', 'car', 'motorcycle', 'bus', 'truck']);
    assert.deepEqual([...manifest.labels].sort(), [...ROAD_LABELS].sort(), 'the labels detection.labels tracks by default');
  });

  it('set-up also writes the road model at 448x256 (selectable): 0.7 of the frame, 22 % fewer MACs than 512x288', async function () {
    const [road, small] = await Promise.all([convertCenternetFrameShaped(undefined, 'road'), convertCenternetFrameShaped(undefined, 'road', CENTERNET_SMALL_SHAPE)]);
    assert.ok(Buffer.from(small.bytes).equals(readFileSync(variantPath('centernet-448x256-road'))), 'differs from the set-up\'s file (re-run scripts/setup.sh)');
    // The convolutions scale with the cells they compute (strides 2 to 32 divide both shapes); the
    // input's resize and the heads' edges a little less than exactly.
    const scale = (448 * 256) / (512 * 288);
    assert.ok(Math.abs(small.macs / road.macs - scale) < 0.001 * scale, `${small.macs} MACs, ${road.macs} at 512x288`);
    const manifest = loadManifest(variantManifestPath('centernet-448x256-road'));
    assert.deepEqual([manifest.input.width, manifest.input.height, manifest.labels], [448, 256, loadManifest(DEFAULT_MANIFEST_PATH).labels]);
    assert.equal(path.resolve(INSTALL_ROOT, DetectionSection.properties.model.default), DEFAULT_MANIFEST_PATH, 'the config schema\'s default is the 512x288 road model');
  });

  it('scores every kept class exactly as the 80-class model does, on photos and street frames', async function () {
    const keep = roadClassIndices(COCO);
    const [all, road] = await Promise.all([FRAME_SHAPED_MANIFEST_PATH, DEFAULT_MANIFEST_PATH].map((m) => ort.InferenceSession.create(loadManifest(m).modelPath, { intraOpNumThreads: 2 })));
    try {
      for (const frame of frames) {
        const region = wholeFrameRegion(frame.width, frame.height, CENTERNET_FRAME_SHAPE);
        const feed = inputFeed(loadManifest(DEFAULT_MANIFEST_PATH));
        const a = (await all.run(modelFeeds(frame, region, feed, CENTERNET_FRAME_SHAPE)))[CENTERNET_HEADS_OUTPUT].data as Float32Array;
        const r = (await road.run(modelFeeds(frame, region, feed, CENTERNET_FRAME_SHAPE)))[CENTERNET_HEADS_OUTPUT].data as Float32Array;
        assert.equal(r.length, (a.length / 85) * 11);
        let worst = 0;
        let confident = 0;
        for (let cell = 0; cell < r.length / 11; cell++) {
          const want = [...keep.map((c) => a[cell * 85 + c]), ...a.subarray(cell * 85 + 80, cell * 85 + 84)];
          want.push(Math.max(...want.slice(0, 6)));
          for (let k = 0; k < 11; k++) worst = Math.max(worst, Math.abs(r[cell * 11 + k] - want[k]));
          if (want[6] >= 0.5) confident++;
        }
        assert.ok(confident > 0, `${frame.cameraId}: something to compare`);
        assert.ok(worst < 1e-4, `${frame.cameraId}: differs by ${worst}`);
      }
    } finally {
      await Promise.all([all.release(), road.release()]);
    }
  });

  it('the detector reports the same road users with it as with all 80 classes', async function () {
    const [all, road] = await Promise.all([FRAME_SHAPED_MANIFEST_PATH, DEFAULT_MANIFEST_PATH].map((manifestPath) => DetectorService.load({ manifestPath, threads: 2, queueSize: 4 })));
    try {
      let compared = 0;
      for (const frame of frames) {
        const regions = [wholeFrameRegion(frame.width, frame.height, CENTERNET_FRAME_SHAPE)];
        const [a, r] = await Promise.all([all, road].map((d) => d.detect({ cameraId: 'c', frame, regions })));
        assert.ok(a !== 'dropped' && r !== 'dropped');
        const roadOnly = a.filter((d) => ROAD_LABELS.includes(d.label));
        const key = (d: { label: string; score: number; box: readonly number[] }): string => `${d.label} ${d.score.toFixed(4)} ${d.box.map((v) => v.toFixed(1)).join(',')}`;
        assert.deepEqual(r.map(key).sort(), roadOnly.map(key).sort(), frame.cameraId);
        compared += r.length;
      }
      assert.ok(compared >= 10, `${compared} detections compared`);
    } finally {
      await Promise.all([all.close(), road.close()]);
    }
  });

  it('refuses classes the model does not have, none, or twice, and heads not made by one class convolution', async function () {
    const heads = (await convertCenternetHeads(320)).bytes;
    for (const keep of [[], [0, 80], [2, 2], [-1], [1.5]]) {
      assert.throws(() => withClassSubset(heads, { ...HEADS, keep }), /keep must list distinct classes of 0\.\.79/, JSON.stringify(keep));
    }
    const g = new OnnxGraphBuilder();
    g.input('x', 'float32', [1, 2, 2, 6]);
    g.node('Relu', ['x'], ['maps'], 'relu');
    g.node('Concat', ['maps', 'x'], ['heads'], 'join', { axis: 3 });
    g.output('heads', 'float32', [1, 2, 2, 12]);
    assert.throws(() => withClassSubset(g.encode('t', 't', ''), { heads: 'heads', heatmaps: 'maps', keep: [0] }), /not computed by a Conv through per-channel ops only/);
    assert.throws(() => withClassSubset(heads, { heads: 'tower_0/keypoints', heatmaps: HEADS.heatmaps, keep: [0] }), /joined by a Concat/);
  });
});
