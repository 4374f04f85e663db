import assert from 'node:assert/strict';
import * as ort from 'onnxruntime-node';
import { pixelBox } from '../../../agent/detection/coords.js';
import { CENTERNET_TOP_K, decodeCenterNetHeads } from '../../../agent/detection/detector/centernet-heads.js';
import type { DecodeOptions, RawDetection } from '../../../agent/detection/detector/decoders.js';
import { decodeCenterNet, expectedOutputProblem } from '../../../agent/detection/detector/decoders.js';
import { DetectorService } from '../../../agent/detection/detector/index.js';
import { iou } from '../../../agent/detection/geometry.js';
import { CENTERNET_HEADS_OUTPUT, CENTERNET_INPUT, CENTERNET_SIZES } from '../../../scripts/centernet-variants.js';
import { DARKNET_DATA, loadJpeg, resizeToNhwc, rgbaToI420Frame } from './images.js';
import { ensureHeadsModel, ensureModel, MODEL_PATH, variantManifestPath } from './model.js';

const PHOTOS = ['dog.jpg', 'person.jpg', 'horses.jpg', 'giraffe.jpg', 'eagle.jpg', 'kite.jpg', 'scream.jpg'];
const opts = (size: number, minScore = 0.2): DecodeOptions => ({ minScore, classes: 80, inputWidth: size, inputHeight: size, boxUnits: 'pixels' });

async function run(session: ort.InferenceSession, size: number, photo: string, output: string): Promise<ort.Tensor> {
  const input = resizeToNhwc(loadJpeg(`${DARKNET_DATA}/${photo}`), size, size);
  const out = await session.run({ [CENTERNET_INPUT]: new ort.Tensor('float32', input, [1, size, size, 3]) }, [output]);
  return out[output];
}

/** Heads tensor [1,H,W,C+4] for a hand-made case: heat[y][x][c] values, box distances per cell. */
function headsTensor(H: number, W: number, C: number, heat: [number, number, number, number][], ltrb: [number, number, number, number]): Float32Array {
  const t = new Float32Array(H * W * (C + 4));
  for (let cell = 0; cell < H * W; cell++) t.set(ltrb, cell * (C + 4) + C);
  for (const [y, x, c, v] of heat) t[(y * W + x) * (C + 4) + c] = v;
  return t;
}

describe('detector: centernet-heads decoder (CenterNet at any input size)', function () {
  it('peaks are 3x3 maxima per class (plateaus keep both cells, borders count), boxes are cell x stride -/+ distances', function () {
    // 4x6 heatmap, 2 classes, 48x32 input: stride 8 both ways.
    const t = headsTensor(4, 6, 2, [
      [1, 1, 0, 0.9], [1, 2, 0, 0.5], // 0.5 sits next to 0.9 of the same class: not a peak
      [1, 2, 1, 0.6], // same cell, other class: a peak of its own
      [3, 5, 0, 0.7], [3, 4, 0, 0.7], // plateau on the border: both cells are peaks, as max-pool equality keeps them
      [0, 5, 1, 0.1], // below minScore
    ], [2, 3, 4, 5]);
    const out = decodeCenterNetHeads(t, [1, 4, 6, 6], { ...opts(48), inputHeight: 32 });
    assert.deepEqual(out.map((d) => [d.classIndex, d.score.toFixed(2)]), [[0, '0.90'], [0, '0.70'], [0, '0.70'], [1, '0.60']]);
    // Equal scores: TF top-k order, the lower flat index (3,4) before (3,5).
    assert.deepEqual(out[1].box, [4 * 8 - 2, 3 * 8 - 3, 4 * 8 + 4, 3 * 8 + 5]);
    assert.deepEqual(out[0].box, [8 - 2, 8 - 3, 8 + 4, 8 + 5]);
  });

  it(`keeps the ${CENTERNET_TOP_K} best peaks, like the graph's top-k`, function () {
    const heat: [number, number, number, number][] = [];
    for (let y = 0; y < 30; y += 2) for (let x = 0; x < 30; x += 2) heat.push([y, x, 0, 0.3 + (y * 30 + x) / 2000]);
    const out = decodeCenterNetHeads(headsTensor(30, 30, 1, heat, [1, 1, 1, 1]), [1, 30, 30, 5], { ...opts(120), classes: 1 });
    assert.equal(heat.length, 225);
    assert.equal(out.length, CENTERNET_TOP_K);
    assert.ok(Math.abs(out[0].score - (0.3 + (28 * 30 + 28) / 2000)) < 1e-6, 'best first');
  });

  it('with the cell-max channel reads only cells whose best score reaches minScore, with the same result', function () {
    const H = 4;
    const W = 6;
    const C = 2;
    const heat: [number, number, number, number][] = [[1, 1, 0, 0.9], [1, 2, 1, 0.6], [3, 5, 0, 0.7], [3, 4, 0, 0.7], [0, 5, 1, 0.1]];
    const plain = headsTensor(H, W, C, heat, [2, 3, 4, 5]);
    const withMax = new Float32Array(H * W * (C + 5));
    for (let cell = 0; cell < H * W; cell++) {
      const scores = plain.subarray(cell * (C + 4), cell * (C + 4) + C + 4);
      withMax.set(scores, cell * (C + 5));
      withMax[cell * (C + 5) + C + 4] = Math.max(...scores.subarray(0, C));
    }
    const o = { ...opts(48), inputHeight: 32, classes: C };
    const want = decodeCenterNetHeads(plain, [1, H, W, C + 4], o);
    assert.equal(want.length, 4);
    assert.deepEqual(decodeCenterNetHeads(withMax, [1, H, W, C + 5], { ...o, cellMax: true }), want);
    // The channel is trusted: a cell whose cell max says nothing is there is not read.
    withMax[(1 * W + 1) * (C + 5) + C + 4] = 0;
    assert.deepEqual(decodeCenterNetHeads(withMax, [1, H, W, C + 5], { ...o, cellMax: true }).map((d) => d.score.toFixed(2)), ['0.70', '0.70', '0.60']);
  });

  it('checks the heads shape against the label count', function () {
    assert.equal(expectedOutputProblem('centernet-heads', [1, 80, 80, 85], 80, true), undefined);
    assert.match(expectedOutputProblem('centernet-heads', [1, 80, 80, 84], 80, true) ?? '', /\[1,H,W,85\] \(with the cell-max channel\)/);
    assert.equal(expectedOutputProblem('centernet-heads', [1, 80, 80, 84], 80), undefined);
    assert.match(expectedOutputProblem('centernet-heads', [1, 80, 80, 84], 3) ?? '', /\[1,H,W,7\]/);
    assert.match(expectedOutputProblem('centernet-heads', [1, 100, 6], 80) ?? '', /centernet-heads output must be/);
  });

  describe('on the converted model', function () {
    let graphDecode: ort.InferenceSession;
    const heads = new Map<number, ort.InferenceSession>();
    before(async function () {
      await ensureModel();
      graphDecode = await ort.InferenceSession.create(MODEL_PATH, { intraOpNumThreads: 2 });
      for (const size of CENTERNET_SIZES) heads.set(size, await ort.InferenceSession.create(await ensureHeadsModel(size), { intraOpNumThreads: 2 }));
    });
    after(async () => {
      await graphDecode?.release();
      for (const s of heads.values()) await s.release();
    });

    it('at 512 reproduces the graph\'s own decode on the darknet photos: same classes, scores and boxes', async function () {
      let compared = 0;
      for (const photo of PHOTOS) {
        const det = await run(graphDecode, 512, photo, 'tower_0/detections');
        const want = decodeCenterNet(det.data as Float32Array, det.dims, opts(512, 0.05));
        const h = await run(heads.get(512) as ort.InferenceSession, 512, photo, CENTERNET_HEADS_OUTPUT);
        assert.deepEqual(h.dims, [1, 128, 128, 84]);
        const got = decodeCenterNetHeads(h.data as Float32Array, h.dims, opts(512, 0.05));
        assert.equal(got.length, want.length, `${photo}: ${got.length} detections, graph decode ${want.length}`);
        for (const w of want) {
          const g = got.find((d) => d.classIndex === w.classIndex && Math.abs(d.score - w.score) <= 1e-4 && d.box.every((v, i) => Math.abs(v - w.box[i]) <= 0.01));
          assert.ok(g, `${photo}: graph decode has class ${w.classIndex} ${w.score} [${w.box}], heads decode lacks it`);
        }
        compared += want.length;
      }
      assert.ok(compared >= 20, `compared ${compared} detections`);
    });

    it('at 320, 384 and 416 finds the 512 model\'s confident objects of 24+ px in the photos (IoU >= 0.5 after scaling)', async function () {
      // Smaller objects shrink below what a smaller input resolves (kite.jpg's far people, 6x11 px
      // at 512): seeing them is the job of regions cut at native resolution, not of the input size.
      let checked = 0;
      for (const photo of PHOTOS) {
        const r = await run(heads.get(512) as ort.InferenceSession, 512, photo, CENTERNET_HEADS_OUTPUT);
        const reference = decodeCenterNetHeads(r.data as Float32Array, r.dims, opts(512, 0.5))
          .filter((d) => Math.min(d.box[2] - d.box[0], d.box[3] - d.box[1]) >= 24);
        checked += reference.length;
        for (const size of CENTERNET_SIZES.filter((s) => s !== 512)) {
          const h = await run(heads.get(size) as ort.InferenceSession, size, photo, CENTERNET_HEADS_OUTPUT);
          assert.deepEqual(h.dims, [1, size / 4, size / 4, 84]);
          const found = decodeCenterNetHeads(h.data as Float32Array, h.dims, opts(size, 0.3));
          const scaled = (d: RawDetection): RawDetection['box'] => pixelBox(...(d.box.map((v) => (v * 512) / size) as [number, number, number, number]));
          for (const ref of reference) {
            const hit = found.find((d) => d.classIndex === ref.classIndex && iou(scaled(d), ref.box) >= 0.5);
            assert.ok(hit, `${photo} at ${size}: no class ${ref.classIndex} over [${ref.box.map(Math.round)}] (found ${JSON.stringify(found.map((d) => [d.classIndex, d.score.toFixed(2), scaled(d).map(Math.round)]))})`);
          }
        }
      }
      assert.ok(checked >= 6, `only ${checked} reference objects`);
    });

    it('the service loads a variant by its manifest and decodes its heads in frame pixels', async function () {
      const detector = await DetectorService.load({ manifestPath: variantManifestPath('centernet-320'), threads: 2, queueSize: 4 });
      try {
        assert.deepEqual(detector.inputSize, { width: 320, height: 320 });
        const frame = rgbaToI420Frame(loadJpeg(`${DARKNET_DATA}/person.jpg`));
        const result = await detector.detect({ cameraId: 'photo', frame, regions: [pixelBox(0, 0, frame.width, frame.height)] });
        assert.ok(Array.isArray(result));
        // The oracle's person at 512: [149,132,221,453] in 512 pixels of the resized photo.
        const want = pixelBox(...([149, 132, 221, 453].map((v, i) => (v * (i % 2 ? frame.height : frame.width)) / 512) as [number, number, number, number]));
        const person = result.find((d) => d.label === 'person' && d.score >= 0.5);
        assert.ok(person && iou(person.box, want) >= 0.7, `person: ${JSON.stringify(result)}`);
      } finally {
        await detector.close();
      }
    });
  });
});
