import assert from 'node:assert/strict';
import * as ort from 'onnxruntime-node';
import { DetectorService } from '../../agent/detection/detector/index.js';
import type { Detection } from '../../agent/detection/types.js';
import { DARKNET_DATA, loadJpeg, resizeToNhwc, rgbaToI420Frame } from './images.js';
import { ensureModel, MANIFEST_PATH, MODEL_PATH } from './model.js';
import { pixelBox } from '../../agent/detection/coords.js';

interface Expected { label: string; cls: number; score: number; box?: [number, number, number, number] }

// Figures measured with the converted model under onnxruntime-node (score > 0.3, photo resized to 512x512).
const ORACLE: Record<string, Expected[]> = {
  'dog.jpg': [
    { label: 'car', cls: 2, score: 0.55, box: [316, 72, 456, 147] },
    { label: 'bicycle', cls: 1, score: 0.48, box: [73, 108, 376, 396] },
    { label: 'dog', cls: 16, score: 0.42, box: [83, 185, 209, 482] },
    { label: 'truck', cls: 7, score: 0.32 },
  ],
  'person.jpg': [
    { label: 'person', cls: 0, score: 0.67, box: [149, 132, 221, 453] },
    { label: 'dog', cls: 16, score: 0.43 },
    { label: 'horse', cls: 17, score: 0.30 },
  ],
};

describe('detector: converted CenterNet against the oracle photos', function () {
  let session: ort.InferenceSession;

  before(async function () {
    await ensureModel();
    session = await ort.InferenceSession.create(MODEL_PATH, { intraOpNumThreads: 2 });
  });
  after(async () => session?.release());

  for (const [photo, expected] of Object.entries(ORACLE)) {
    it(`${photo}: classes, scores (±0.02) and boxes (±3 px) match`, async function () {
      const input = resizeToNhwc(loadJpeg(`${DARKNET_DATA}/${photo}`), 512, 512);
      const out = await session.run({ 'tower_0/images': new ort.Tensor('float32', input, [1, 512, 512, 3]) });
      const det = out['tower_0/detections'];
      assert.deepEqual(det.dims, [1, 100, 6]);
      const rows = det.data as Float32Array;
      const hits = Array.from({ length: 100 }, (_, i) => Array.from(rows.subarray(i * 6, i * 6 + 6)));
      for (const e of expected) {
        const hit = hits.find((h) => h[5] === e.cls && Math.abs(h[4] - e.score) <= 0.02);
        assert.ok(hit, `${photo}: no ${e.label} near ${e.score} in ${JSON.stringify(hits.filter((h) => h[4] > 0.25))}`);
        if (e.box) e.box.forEach((v, i) => assert.ok(Math.abs(hit[i] - v) <= 3, `${photo} ${e.label} box[${i}] ${hit[i]} vs ${v}`));
      }
    });
  }

  it('the service finds the same objects in the photos fed as I420 frames', async function () {
    const detector = await DetectorService.load({ manifestPath: MANIFEST_PATH, threads: 2, queueSize: 4 });
    try {
      for (const [photo, expected] of Object.entries(ORACLE)) {
        const frame = rgbaToI420Frame(loadJpeg(`${DARKNET_DATA}/${photo}`));
        const result = await detector.detect({ cameraId: photo, frame, regions: [pixelBox(0, 0, frame.width, frame.height)] });
        assert.ok(Array.isArray(result));
        const sx = frame.width / 512;
        const sy = frame.height / 512;
        for (const e of expected) {
          // Chroma subsampling shifts scores a little; boxes come back in frame pixels.
          const hit = result.find((d: Detection) => d.label === e.label && Math.abs(d.score - e.score) <= 0.05);
          assert.ok(hit, `${photo}: service missed ${e.label} ~${e.score}: ${JSON.stringify(result)}`);
          if (e.box) {
            const want = [e.box[0] * sx, e.box[1] * sy, e.box[2] * sx, e.box[3] * sy];
            want.forEach((v, i) => assert.ok(Math.abs(hit.box[i] - v) <= 8 * sx, `${photo} ${e.label} box[${i}] ${hit.box[i]} vs ${v}`));
          }
        }
      }
    } finally {
      await detector.close();
    }
  });
});
