import assert from 'node:assert/strict';
import { i420RegionToTensor, type InputSpec } from '../../agent/detection/detector/preprocess.js';
import { DARKNET_DATA, loadJpeg, resizeToNhwc, rgbaToI420Frame } from './images.js';
import { pixelBox } from '../../agent/detection/coords.js';

const NHWC_RGB: InputSpec = { width: 512, height: 512, layout: 'NHWC', channels: 'RGB', scale: 1, mean: [0, 0, 0], std: [1, 1, 1] };

describe('detector: I420 region → model tensor', function () {
  const photo = loadJpeg(`${DARKNET_DATA}/dog.jpg`);
  const frame = rgbaToI420Frame(photo);

  it('matches a bilinear RGB resize of the same photo (only I420 chroma loss differs)', function () {
    const ours = i420RegionToTensor(frame, pixelBox(0, 0, frame.width, frame.height), NHWC_RGB);
    const ref = resizeToNhwc(photo, 512, 512);
    let sum = 0;
    for (let i = 0; i < ref.length; i++) sum += Math.abs(ours[i] - ref[i]);
    const mean = sum / ref.length;
    assert.ok(mean < 6, `mean |diff| ${mean.toFixed(2)} levels`);
    // A swapped channel order or transposed layout would be far off.
    const swapped = new Float32Array(ours.length);
    for (let i = 0; i < ours.length; i += 3) { swapped[i] = ours[i + 2]; swapped[i + 1] = ours[i + 1]; swapped[i + 2] = ours[i]; }
    let swappedSum = 0;
    for (let i = 0; i < ref.length; i++) swappedSum += Math.abs(swapped[i] - ref[i]);
    assert.ok(swappedSum / ref.length > mean * 2, 'the test can tell channel orders apart');
  });

  it('writes NCHW, BGR and (x·scale − mean)/std as the manifest asks', function () {
    const region = pixelBox(100, 50, 420, 370);
    const base = i420RegionToTensor(frame, region, { ...NHWC_RGB, width: 64, height: 64 });
    const spec: InputSpec = { width: 64, height: 64, layout: 'NCHW', channels: 'BGR', scale: 1 / 255, mean: [0.4, 0.5, 0.6], std: [0.2, 0.25, 0.3] };
    const t = i420RegionToTensor(frame, region, spec);
    const plane = 64 * 64;
    for (const p of [0, 777, 2080, plane - 1]) {
      const [r, g, b] = [base[p * 3], base[p * 3 + 1], base[p * 3 + 2]];
      assert.ok(Math.abs(t[p] - (b / 255 - 0.4) / 0.2) < 1e-4);
      assert.ok(Math.abs(t[plane + p] - (g / 255 - 0.5) / 0.25) < 1e-4);
      assert.ok(Math.abs(t[2 * plane + p] - (r / 255 - 0.6) / 0.3) < 1e-4);
    }
  });

  it('a region past the frame edge is black there and the image elsewhere', function () {
    const t = i420RegionToTensor(frame, pixelBox(-frame.width, 0, frame.width, frame.height), { ...NHWC_RGB, width: 100, height: 50 });
    const px = (x: number, y: number): number[] => Array.from(t.subarray((y * 100 + x) * 3, (y * 100 + x) * 3 + 3));
    assert.deepEqual(px(10, 25), [0, 0, 0]);
    assert.deepEqual(px(49, 10), [0, 0, 0]);
    assert.ok(px(75, 25).some((v) => v > 20), 'the photo in the right half');
  });
});
