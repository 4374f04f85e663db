import assert from 'node:assert/strict';
import { pixelBox } from '../../../agent/detection/coords.js';
import { DetectorService } from '../../../agent/detection/detector/index.js';
import { cropI420Planes, evenRegion } from '../../../agent/detection/detector/i420-crop.js';
import type { Detection, PixelBox } from '../../../agent/detection/types.js';
import { DARKNET_DATA, loadJpeg, rgbaToI420Frame } from './images.js';
import { ensureHeadsModel, ensureI420Model, variantManifestPath } from './model.js';

/** A 6x4 I420 frame whose luma is 10·row + col and chroma U = 100 + c, V = 200 + c. */
function tinyFrame(): { width: number; height: number; data: Uint8Array } {
  const data = new Uint8Array(6 * 4 + 2 * 3 * 2);
  for (let r = 0; r < 4; r++) for (let c = 0; c < 6; c++) data[r * 6 + c] = 10 * r + c;
  for (let i = 0; i < 6; i++) { data[24 + i] = 100 + i; data[30 + i] = 200 + i; }
  return { width: 6, height: 4, data };
}

describe('detector: preprocessing inside the model (I420 crop planes)', function () {
  this.timeout(120000);

  it('a crop is the frame rows as they are, black (16/128) past the edges, regions snapped to even pixels', function () {
    assert.deepEqual(evenRegion(pixelBox(1, 3, 4, 6)), [0, 2, 4, 6]);
    const inside = cropI420Planes(tinyFrame(), pixelBox(2, 0, 6, 2));
    assert.deepEqual([...inside.y], [2, 3, 4, 5, 12, 13, 14, 15]);
    assert.deepEqual([...inside.uv], [101, 102, 201, 202]);
    const past = cropI420Planes(tinyFrame(), pixelBox(-2, 2, 2, 6));
    assert.deepEqual([...past.y], [16, 16, 20, 21, 16, 16, 30, 31, 16, 16, 16, 16, 16, 16, 16, 16]);
    assert.deepEqual([...past.uv], [128, 103, 128, 128, 128, 203, 128, 128]);
  });

  // Same model weights, preprocessing in JavaScript (centernet-512) vs in the graph (centernet-512-i420).
  it('finds what the JavaScript preprocessing finds on the darknet photos, whole and cropped', async function () {
    await ensureHeadsModel(512);
    await ensureI420Model(512);
    const js = await DetectorService.load({ manifestPath: variantManifestPath('centernet-512'), threads: 2, queueSize: 4 });
    const graph = await DetectorService.load({ manifestPath: variantManifestPath('centernet-512-i420'), threads: 2, queueSize: 4 });
    try {
      let compared = 0;
      for (const photo of ['dog.jpg', 'person.jpg', 'horses.jpg', 'giraffe.jpg']) {
        const frame = rgbaToI420Frame(loadJpeg(`${DARKNET_DATA}/${photo}`));
        const regions: PixelBox[] = [
          pixelBox(0, 0, frame.width, frame.height), // downscaled
          evenRegion(pixelBox(100, 60, 100 + 400, 60 + 400)), // close to native
          evenRegion(pixelBox(frame.width - 300, frame.height - 300, frame.width + 100, frame.height + 100)), // past the edge
        ];
        for (const region of regions) {
          const a = confident(await js.detect({ cameraId: 'js', frame, regions: [region] }));
          const b = confident(await graph.detect({ cameraId: 'graph', frame, regions: [region] }));
          for (const d of a) {
            const m = b.find((e) => e.label === d.label && Math.abs(e.score - d.score) <= 0.05 && d.box.every((v, i) => Math.abs(v - e.box[i]) <= 4));
            assert.ok(m, `${photo} [${region.join(',')}]: ${d.label} ${d.score.toFixed(2)} [${d.box.map(Math.round).join(',')}] not found in ${JSON.stringify(b)}`);
            compared++;
          }
          assert.equal(b.length, a.length, `${photo} [${region.join(',')}]: ${JSON.stringify(a)} vs ${JSON.stringify(b)}`);
        }
      }
      assert.ok(compared >= 10, `compared ${compared} detections`);
    } finally {
      await js.close();
      await graph.close();
    }
  });
});

function confident(r: Detection[] | 'dropped'): Detection[] {
  assert.ok(Array.isArray(r));
  return r.filter((d) => d.score >= 0.4);
}
