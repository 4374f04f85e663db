import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { onnx } from 'onnx-proto';
import { pixelBox } from '../../../agent/detection/coords.js';
import { decodeCenterNetHeads } from '../../../agent/detection/detector/centernet-heads.js';
import { DetectorService } from '../../../agent/detection/detector/index.js';
import { iou } from '../../../agent/detection/geometry.js';
import { planRegions } from '../../../agent/detection/regions.js';
import { frameRange } from '../../../models/converter/calibrate.js';
import { activationQuant, quantizeBias, quantizeWeights } from '../../../models/converter/quantize.js';
import type { ClipFrame } from '../../../scripts/calibration-frames.js';
import { calibrateCenternet } from '../../../scripts/calibrate-model.js';
import { calibrationPath, CENTERNET_FLOAT_ACTIVATIONS, CENTERNET_FRAME_SHAPE, CENTERNET_HEADS_OUTPUT, CENTERNET_INPUT, CENTERNET_SIZES, variantName } from '../../../scripts/centernet-variants.js';
import { buildCenternetInt8, buildFrameShapedInt8, convertCenternetFrameShaped, convertCenternetHeads, type ConvertedModel } from '../../../scripts/convert-model.js';
import { REPO_ROOT, tempDir } from '../../support/tmp.js';
import { CLIPS, clipFrames, DARKNET_DATA, loadJpeg, resizeToNhwc, rgbaToI420Frame } from './images.js';
import { variantManifestPath } from './model.js';

const SIZE = 320;
const PHOTOS = ['dog.jpg', 'person.jpg', 'horses.jpg', 'giraffe.jpg', 'kite.jpg'];

function frames(n: number, pixel: (i: number, f: number) => number): ClipFrame[] {
  return Array.from({ length: n }, (_, f) => ({ clip: 'synthetic', index: f, rgb: Uint8Array.from({ length: SIZE * SIZE * 3 }, (_, i) => pixel(i, f)) }));
}

async function heads(session: ort.InferenceSession, photo: string, size = SIZE): Promise<ReturnType<typeof decodeCenterNetHeads>> {
  const input = resizeToNhwc(loadJpeg(`${DARKNET_DATA}/${photo}`), size, size);
  const out = (await session.run({ [CENTERNET_INPUT]: new ort.Tensor('float32', input, [1, size, size, 3]) }))[CENTERNET_HEADS_OUTPUT];
  assert.deepEqual(out.dims, [1, size / 4, size / 4, 84]);
  return decodeCenterNetHeads(out.data as Float32Array, out.dims, { minScore: 0.3, classes: 80, inputWidth: size, inputHeight: size, boxUnits: 'pixels' });
}

describe('detector: int8 quantization (QDQ) of the CenterNet variants', function () {
  let fp32: ConvertedModel;
  let int8: ConvertedModel;
  let tmp: { dir: string; cleanup: () => void };
  before(async function () {
    tmp = tempDir('quantize-');
    fp32 = await convertCenternetHeads(SIZE);
    const built = await buildCenternetInt8(SIZE, fp32);
    assert.ok(built, `no committed ${calibrationPath(REPO_ROOT, SIZE)}`);
    int8 = built;
  });
  after(() => tmp.cleanup());

  it('weights: per output channel, symmetric int8; activations: uint8 with 0 exact', function () {
    const { q, scales } = quantizeWeights(Float32Array.of(0.5, -1, 0.25, 0, 0, 0, 2, -0.02, 1), 3);
    assert.deepEqual(Array.from(scales), [1 / 127, 1, 2 / 127].map(Math.fround));
    assert.deepEqual(Array.from(q), [64, -127, 32, 0, 0, 0, 127, -1, 64]);
    const a = activationQuant(-1, 3);
    assert.equal(a.zeroPoint, 64);
    assert.ok(Math.abs(a.scale - 4 / 255) < 1e-7);
    assert.equal(activationQuant(0.5, 6).zeroPoint, 0, 'a positive range still holds 0');
    assert.throws(() => activationQuant(0, 0), /empty range/);
  });

  it('calibration ranges: extremes at 100, both tails cut at a percentile (from an even sample of big tensors)', function () {
    const ramp = Float32Array.from({ length: 1_000_000 }, (_, i) => (i % 1000 === 999 ? 1e4 : i / 1e4)); // 0..100 plus rare outliers
    assert.deepEqual(frameRange(ramp, 100), [0, 1e4]);
    const [lo, hi] = frameRange(ramp, 99);
    assert.ok(lo >= 0.9 && lo <= 1.1 && hi >= 98 && hi <= 99.2, `[${lo}, ${hi}]`);
  });

  it('refuses to calibrate on blank frames, saying so', async function () {
    await assert.rejects(calibrateCenternet(REPO_ROOT, SIZE, [...frames(2, () => 0), ...frames(2, () => 128)]),
      (err: Error & { code?: string }) => err.code === 'MODEL_CALIBRATION_REFUSED' && /all 4 frames are blank/.test(err.message));
  });

  it('refuses to calibrate on frames that show nothing to detect, instead of writing ranges', async function () {
    // Textured (not blank) but empty: a gradient with noise.
    const empty = frames(3, (i, f) => ((i / 3) % SIZE) * 0.6 + ((i * 7919 + f * 104729) % 41));
    await assert.rejects(calibrateCenternet(REPO_ROOT, SIZE, empty),
      (err: Error & { code?: string }) => err.code === 'MODEL_CALIBRATION_REFUSED' && /only 0 of 3 frames show a person\/bicycle\/car/.test(err.message));
  });

  it('is built deterministically from fp32 + the committed ranges, as the set-up wrote it; stale ranges are refused', async function () {
    const again = await buildCenternetInt8(SIZE, fp32);
    assert.equal(again?.sha256, int8.sha256, 'two builds differ');
    assert.ok(readFileSync(join(REPO_ROOT, `models/centernet-${SIZE}-int8.onnx`)).equals(Buffer.from(int8.bytes)), 'differs from the set-up\'s file (re-run scripts/setup.sh)');
    const calibration = JSON.parse(readFileSync(calibrationPath(REPO_ROOT, SIZE), 'utf8')) as { fp32Sha256: string };
    mkdirSync(join(tmp.dir, 'models'));
    writeFileSync(calibrationPath(tmp.dir, SIZE), JSON.stringify({ ...calibration, fp32Sha256: '0'.repeat(64) }));
    await assert.rejects(buildCenternetInt8(SIZE, fp32, tmp.dir), (err: Error & { code?: string }) => err.code === 'MODEL_CALIBRATION_STALE');
  });

  it('every size has committed ranges, and its int8 variant is the one the set-up wrote', async function () {
    for (const size of CENTERNET_SIZES) {
      const built = await buildCenternetInt8(size, await convertCenternetHeads(size));
      assert.ok(built, `no committed ${calibrationPath(REPO_ROOT, size)}`);
      assert.equal(built.sha256, createHash('sha256').update(readFileSync(join(REPO_ROOT, `models/centernet-${size}-int8.onnx`))).digest('hex'), `centernet-${size}-int8.onnx differs from the set-up's (re-run scripts/setup.sh)`);
    }
  });

  for (const classes of ['coco', 'road'] as const) {
    const name = variantName(CENTERNET_FRAME_SHAPE, 'fp32', classes);
    it(`the frame-shaped ${name} in int8 (I420 in, the square 512's ranges) is the set-up's, and finds on photos and street frames what its fp32 finds`, async function () {
      const built = await buildFrameShapedInt8(await convertCenternetFrameShaped(undefined, classes), await convertCenternetHeads(512), undefined, classes);
      assert.ok(built, `no committed ${calibrationPath(REPO_ROOT, 512)}`);
      assert.ok(readFileSync(join(REPO_ROOT, `models/${name}-int8.onnx`)).equals(Buffer.from(built.bytes)), 'differs from the set-up\'s file (re-run scripts/setup.sh)');
      const [fp32Service, int8Service] = await Promise.all([variantManifestPath(name), variantManifestPath(`${name}-int8`)].map((manifestPath) => DetectorService.load({ manifestPath, threads: 2, queueSize: 4 })));
      let reference = 0;
      let matched = 0;
      try {
        // The road users only: the photos alone hold four confident ones.
        const frames = [...PHOTOS.map((photo) => rgbaToI420Frame(loadJpeg(`${DARKNET_DATA}/${photo}`))), ...clipFrames(CLIPS.vehicles, 1, 6, 'street'), ...clipFrames(CLIPS.pedestrians, 2, 3, 'walkway')];
        for (const frame of frames) {
          const regions = planRegions([pixelBox(0, 0, frame.width, frame.height)], frame.width, frame.height, fp32Service.inputSize);
          const [want, got] = await Promise.all([fp32Service, int8Service].map((d) => d.detect({ cameraId: 'photo', frame, regions })));
          assert.ok(Array.isArray(want) && Array.isArray(got));
          for (const w of want.filter((d) => d.score >= 0.5)) {
            reference++;
            if (got.some((g) => g.label === w.label && iou(g.box, w.box) >= 0.5)) matched++;
          }
        }
      } finally {
        await Promise.all([fp32Service.close(), int8Service.close()]);
      }
      assert.ok(reference >= 10, `only ${reference} reference objects`);
      assert.ok(matched >= 0.9 * reference, `int8 found ${matched} of the fp32's ${reference}`);
    });
  }

  it('holds int8 weights per channel behind QDQ pairs, the stem and first two blocks in float, and onnxruntime turns the rest into integer QLinearConv', async function () {
    const g = onnx.ModelProto.decode(int8.bytes).graph as onnx.GraphProto;
    const convs = g.node.filter((n) => n.opType === 'Conv');
    const int8Weights = g.initializer.filter((t) => t.dataType === onnx.TensorProto.DataType.INT8 && t.dims?.length === 4);
    // A Conv is integer when it reads a dequantized activation; the float ones read what the variants keep float (or a dead ReLU).
    const floatConvs = convs.filter((n) => !(n.input?.[0] ?? '').endsWith('/dequantized'));
    const kept = floatConvs.filter((n) => CENTERNET_FLOAT_ACTIVATIONS.test(n.input?.[0] ?? ''));
    assert.equal(kept.length, 6, `the stem, block 0's depthwise and projection, block 1's expansion, depthwise and projection: ${kept.map((n) => n.name).join(', ')}`);
    assert.ok(floatConvs.length - kept.length <= 2, `float besides them: ${floatConvs.filter((n) => !kept.includes(n)).map((n) => n.name).join(', ')}`);
    assert.equal(int8Weights.length, convs.length - floatConvs.length, 'every integer Conv has int8 weights');
    assert.ok(g.node.filter((n) => n.opType === 'DequantizeLinear' && (n.attribute ?? []).some((a) => a.name === 'axis')).length >= int8Weights.length, 'per-channel DequantizeLinear');
    const optimisedPath = join(tmp.dir, 'int8-optimised.onnx');
    const session = await ort.InferenceSession.create(int8.bytes, { graphOptimizationLevel: 'all', optimizedModelFilePath: optimisedPath, intraOpNumThreads: 1, logSeverityLevel: 3 });
    await session.release();
    const ops = (onnx.ModelProto.decode(readFileSync(optimisedPath)).graph as onnx.GraphProto).node.map((n) => n.opType);
    const qlinear = ops.filter((o) => o === 'QLinearConv').length;
    assert.ok(qlinear >= int8Weights.length - 1, `${qlinear} QLinearConv of ${int8Weights.length} int8 convs (float convs: ${ops.filter((o) => o === 'Conv' || o === 'FusedConv').length})`);
  });

  /** Of fp32's detections scoring >= 0.5 in the photos, those int8 finds (same class, IoU >= 0.5; int8 scores sit lower, so >= 0.3). */
  async function int8Finds(fp32Bytes: Uint8Array, int8Bytes: Uint8Array, size: number): Promise<{ matched: number; reference: number; misses: string[] }> {
    const f = await ort.InferenceSession.create(fp32Bytes, { intraOpNumThreads: 2 });
    const q = await ort.InferenceSession.create(int8Bytes, { intraOpNumThreads: 2 });
    const r = { matched: 0, reference: 0, misses: [] as string[] };
    try {
      for (const photo of PHOTOS) {
        const want = (await heads(f, photo, size)).filter((d) => d.score >= 0.5);
        const got = await heads(q, photo, size);
        r.reference += want.length;
        for (const w of want) {
          if (got.some((g) => g.classIndex === w.classIndex && iou(g.box, w.box) >= 0.5)) r.matched++;
          else r.misses.push(`${photo}: class ${w.classIndex} ${w.score.toFixed(2)}`);
        }
      }
    } finally {
      await f.release();
      await q.release();
    }
    return r;
  }

  it('onnxruntime-node runs it and it finds the objects fp32 scores >= 0.5 in the photos (IoU >= 0.5; int8 scores sit lower, so >= 0.3)', async function () {
    const { matched, reference, misses } = await int8Finds(fp32.bytes, int8.bytes, SIZE);
    assert.ok(reference >= 5, `only ${reference} reference objects`);
    assert.ok(matched >= 0.9 * reference, `int8 matched ${matched}/${reference}; missed ${misses.join('; ')}`);
  });

  it('at 512 too: a ReLU calibrated at nearly 0 stays float (quantized, its step clipped every score below 0.3), no bias wraps past int32', async function () {
    const fp32At512 = await convertCenternetHeads(512);
    const int8At512 = await buildCenternetInt8(512, fp32At512);
    assert.ok(int8At512);
    const { matched, reference, misses } = await int8Finds(fp32At512.bytes, int8At512.bytes, 512);
    assert.ok(reference >= 5, `only ${reference} reference objects`);
    assert.ok(matched >= 0.9 * reference, `int8 matched ${matched}/${reference}; missed ${misses.join('; ')}`);
  });

  it('an int32 bias that does not fit at input scale × weight scale is refused, not wrapped', function () {
    const ok = quantizeBias(Float32Array.of(0.5, -0.25), Float32Array.of(0.01, 0.02), 0.1);
    assert.deepEqual(Array.from(ok?.q ?? []), [500, -125]);
    assert.deepEqual(Array.from(ok?.scales ?? []), [Math.fround(0.01) * 0.1, Math.fround(0.02) * 0.1].map(Math.fround), 'weight scale × input scale, as float32');
    // 2.4 at 6e-10: 4e9 levels (Int32Array.from would have made it -2.9e8).
    assert.equal(quantizeBias(Float32Array.of(0.1, 2.4), Float32Array.of(1e-3, 1e-3), 6e-7), null);
  });

  it('the service loads the int8 variant by its manifest', async function () {
    const detector = await DetectorService.load({ manifestPath: variantManifestPath(`centernet-${SIZE}-int8`), threads: 2, queueSize: 4 });
    try {
      const frame = rgbaToI420Frame(loadJpeg(`${DARKNET_DATA}/person.jpg`));
      const result = await detector.detect({ cameraId: 'photo', frame, regions: [pixelBox(0, 0, frame.width, frame.height)] });
      assert.ok(Array.isArray(result) && result.some((d) => d.label === 'person' && d.score >= 0.5), JSON.stringify(result));
    } finally {
      await detector.close();
    }
  });
});
