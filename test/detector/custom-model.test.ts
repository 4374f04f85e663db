import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { OnnxGraphBuilder } from '../../models/converter/onnx-graph.js';
import { DetectorService } from '../../agent/detection/detector/index.js';
import type { VideoFrame } from '../../agent/ingest/types.js';
import { tempDir } from '../support/tmp.js';
import { CLIPS, clipFrames } from './images.js';
import { pixelBox } from '../../agent/detection/coords.js';

const LABELS = ['person', 'bicycle', 'car'];

/**
 * A tiny real ONNX model shaped like a YOLOv8 export (NCHW 64x64 input, [1, 4+3, N] output): the
 * output is a constant plus 0 × mean(input), so onnxruntime really reads the input tensor while
 * the boxes stay known. Stands in for a user's own model dropped in with a manifest.
 */
function yolov8LikeModel(anchors: number[][]): Uint8Array {
  const n = anchors.length;
  const values = new Float32Array((4 + LABELS.length) * n);
  anchors.forEach((a, i) => a.forEach((v, row) => { values[row * n + i] = v; }));
  const b = new OnnxGraphBuilder();
  b.input('images', 'float32', [1, 3, 64, 64]);
  b.node('ReduceMean', ['images'], ['mean'], 'mean', { axes: [1, 2, 3], keepdims: 0 });
  b.node('Mul', ['mean', b.constant('zero', 'float32', [], [0])], ['nothing'], 'nothing');
  b.node('Add', [b.constant('preds', 'float32', [1, 4 + LABELS.length, n], values), 'nothing'], ['output0'], 'output0');
  b.output('output0', 'float32', [1, 4 + LABELS.length, n]);
  return b.encode('yolov8-like', 'edge-agent-test', 'synthetic');
}

describe('detector: a user model dropped in with its own manifest (NCHW, YOLOv8 decoder)', function () {
  let tmp: { dir: string; cleanup: () => void };
  let frame: VideoFrame;

  before(() => {
    tmp = tempDir('detector-custom-');
    frame = clipFrames(CLIPS.vehicles, 1, 1, 'street')[0];
  });
  after(() => tmp.cleanup());

  it('decodes, suppresses duplicates and maps boxes from the region back to frame pixels', async function () {
    // cx, cy, w, h (input pixels), person, bicycle, car
    const anchors = [
      [32, 16, 16, 8, 0.1, 0.0, 0.9], // car at (24,12)-(40,20)
      [33, 16, 16, 8, 0.1, 0.0, 0.8], // the same car again: NMS removes it
      [8, 48, 8, 16, 0.7, 0.1, 0.0], // person at (4,40)-(12,56)
      [50, 50, 4, 4, 0.05, 0.1, 0.1], // below minScore
    ];
    writeFileSync(join(tmp.dir, 'tiny.onnx'), yolov8LikeModel(anchors));
    const manifestPath = join(tmp.dir, 'tiny.manifest.json');
    writeFileSync(manifestPath, JSON.stringify({
      file: 'tiny.onnx',
      input: { name: 'images', width: 64, height: 64, layout: 'NCHW', channels: 'RGB', scale: 1 / 255 },
      output: { name: 'output0', decoder: 'yolov8', minScore: 0.25, nmsIou: 0.45 },
      labels: LABELS,
    }));
    const detector = await DetectorService.load({ manifestPath, threads: 1, queueSize: 2 });
    try {
      assert.deepEqual(detector.inputSize, { width: 64, height: 64 });
      // A 128x128 region at (100, 50): every model pixel is 2 frame pixels.
      const result = await detector.detect({ cameraId: 'street', frame, regions: [pixelBox(100, 50, 228, 178)] });
      assert.ok(Array.isArray(result));
      assert.deepEqual(result.map((d) => d.label), ['car', 'person']);
      assert.deepEqual(result[0].box.map((v) => Math.round(v * 100) / 100), [148, 74, 180, 90]);
      assert.deepEqual(result[1].box.map((v) => Math.round(v * 100) / 100), [108, 130, 124, 162]);
      assert.ok(Math.abs(result[0].score - 0.9) < 1e-6);
      assert.equal(detector.stats().inferences, 1);
    } finally {
      await detector.close();
    }
  });
});
