import assert from 'node:assert/strict';
import { decodeCenterNet, decodeYoloV5, decodeYoloV8, type DecodeOptions } from '../../../agent/detection/detector/decoders.js';
import { expectedOutputProblem } from '../../../agent/detection/detector/decoders.js';
import { nms } from '../../../agent/detection/detector/nms.js';
import { iou } from '../../../agent/detection/geometry.js';
import type { Detection } from '../../../agent/detection/types.js';
import { pixelBox } from '../../../agent/detection/coords.js';

const CLASSES = 80;
const opts = (o: Partial<DecodeOptions> = {}): DecodeOptions => ({ minScore: 0.25, classes: CLASSES, inputWidth: 640, inputHeight: 640, boxUnits: 'pixels', ...o });

interface Box { cx: number; cy: number; w: number; h: number; obj: number; cls: number; p: number }

/** A YOLOv5 export's output: one row per anchor, [cx, cy, w, h, objectness, 80 class scores]. */
function yolov5Tensor(rows: Box[], total: number): Float32Array {
  const stride = 5 + CLASSES;
  const t = new Float32Array(total * stride);
  rows.forEach((r, i) => {
    t.set([r.cx, r.cy, r.w, r.h, r.obj], i * stride);
    t[i * stride + 5 + r.cls] = r.p;
    t[i * stride + 5 + ((r.cls + 1) % CLASSES)] = r.p / 4; // a runner-up class that must not win
  });
  return t;
}

/** A YOLOv8 export's output: channel-major [4 + 80, N], no objectness. */
function yolov8Tensor(rows: Box[], total: number): Float32Array {
  const t = new Float32Array((4 + CLASSES) * total);
  rows.forEach((r, a) => {
    t[a] = r.cx; t[total + a] = r.cy; t[2 * total + a] = r.w; t[3 * total + a] = r.h;
    t[(4 + r.cls) * total + a] = r.p;
    t[(4 + ((r.cls + 3) % CLASSES)) * total + a] = r.p / 3;
  });
  return t;
}

const near = (a: readonly number[], b: readonly number[], eps = 1e-4): void => a.forEach((v, i) => assert.ok(Math.abs(v - b[i]) < eps, `${a} vs ${b}`));

describe('detector: output decoders and NMS', function () {
  it('YOLOv5 [1,N,85]: centre boxes to corners, score = objectness x class, below minScore dropped', function () {
    const rows: Box[] = [
      { cx: 100, cy: 200, w: 40, h: 80, obj: 0.9, cls: 2, p: 0.8 }, // car 0.72
      { cx: 300, cy: 300, w: 100, h: 50, obj: 0.5, cls: 0, p: 0.4 }, // person 0.2 < 0.25: dropped
      { cx: 500, cy: 100, w: 20, h: 20, obj: 0.2, cls: 7, p: 1.0 }, // objectness under minScore: dropped
    ];
    const out = decodeYoloV5(yolov5Tensor(rows, 10), [1, 10, 85], opts());
    assert.equal(out.length, 1);
    assert.equal(out[0].classIndex, 2);
    assert.ok(Math.abs(out[0].score - 0.72) < 1e-6);
    near(out[0].box, [80, 160, 120, 240]);
  });

  it('YOLOv8 [1,84,N]: channel-major layout, best class wins, normalised boxes scaled to the input', function () {
    const rows: Box[] = [
      { cx: 0.5, cy: 0.25, w: 0.1, h: 0.2, obj: 1, cls: 5, p: 0.9 }, // bus
      { cx: 0.1, cy: 0.9, w: 0.05, h: 0.1, obj: 1, cls: 0, p: 0.3 }, // person
      { cx: 0.7, cy: 0.7, w: 0.1, h: 0.1, obj: 1, cls: 1, p: 0.1 }, // below minScore
    ];
    const out = decodeYoloV8(yolov8Tensor(rows, 6), [1, 84, 6], opts({ boxUnits: 'normalized', inputWidth: 640, inputHeight: 320 }));
    assert.deepEqual(out.map((d) => d.classIndex), [5, 0]);
    near(out[0].box, [0.45 * 640, 0.15 * 320, 0.55 * 640, 0.35 * 320], 1e-3);
    near(out[1].box, [0.075 * 640, 0.85 * 320, 0.125 * 640, 0.95 * 320], 1e-3);
    assert.ok(Math.abs(out[0].score - 0.9) < 1e-6);
  });

  it('YOLO decode + NMS: duplicate anchors on one object collapse, a different class on the same box survives', function () {
    const rows: Box[] = [
      { cx: 100, cy: 100, w: 50, h: 50, obj: 1, cls: 2, p: 0.9 },
      { cx: 102, cy: 101, w: 50, h: 52, obj: 1, cls: 2, p: 0.8 }, // same car, weaker: suppressed
      { cx: 100, cy: 100, w: 50, h: 50, obj: 1, cls: 7, p: 0.6 }, // truck on the same box: kept (class-aware)
      { cx: 300, cy: 100, w: 50, h: 50, obj: 1, cls: 2, p: 0.7 }, // another car: kept
    ];
    const labels = (i: number): string => ['person', 'bicycle', 'car', 'motorcycle', 'airplane', 'bus', 'train', 'truck'][i] ?? `c${i}`;
    for (const [decoded, name] of [
      [decodeYoloV5(yolov5Tensor(rows, 4), [1, 4, 85], opts()), 'v5'],
      [decodeYoloV8(yolov8Tensor(rows, 4), [1, 84, 4], opts()), 'v8'],
    ] as const) {
      const kept = nms(decoded.map((d): Detection => ({ label: labels(d.classIndex), score: d.score, box: d.box })), 0.45);
      assert.deepEqual(kept.map((d) => [d.label, Math.round(d.score * 10) / 10]), [['car', 0.9], ['car', 0.7], ['truck', 0.6]], name);
    }
  });

  it('CenterNet [1,N,6]: corner boxes, score and class index; unknown classes and low scores skipped', function () {
    const t = new Float32Array(4 * 6);
    t.set([10, 20, 110, 220, 0.8, 0], 0);
    t.set([5, 5, 50, 50, 0.1, 2], 6);
    t.set([1, 1, 2, 2, 0.9, 95], 12);
    t.set([30, 40, 70, 90, 0.5, 7], 18);
    const out = decodeCenterNet(t, [1, 4, 6], opts());
    assert.deepEqual(out.map((d) => d.classIndex), [0, 7]);
    near(out[1].box, [30, 40, 70, 90]);
  });

  it('checks output shapes against the decoder and label count', function () {
    assert.equal(expectedOutputProblem('centernet', [1, 100, 6], 80), undefined);
    assert.equal(expectedOutputProblem('yolov5', [1, 25200, 85], 80), undefined);
    assert.equal(expectedOutputProblem('yolov8', [1, 84, 'anchors'], 80), undefined);
    assert.match(expectedOutputProblem('yolov8', [1, 25200, 85], 80) ?? '', /yolov8 output must be \[1,84,N\]/);
    assert.match(expectedOutputProblem('yolov5', [1, 100, 6], 80) ?? '', /85/);
  });

  it('nms: class-aware, threshold respected, sorted by score', function () {
    const d = (label: string, score: number, [x1, y1, x2, y2]: [number, number, number, number]): Detection => ({ label, score, box: pixelBox(x1, y1, x2, y2) });
    const a = d('car', 0.5, [0, 0, 100, 100]);
    const b = d('car', 0.9, [10, 0, 110, 100]); // IoU with a = 90/110 = 0.818
    const c = d('person', 0.4, [0, 0, 100, 100]);
    assert.ok(Math.abs(iou(a.box, b.box) - 90 / 110) < 1e-9);
    assert.deepEqual(nms([a, b, c], 0.5), [b, c]);
    assert.deepEqual(nms([a, b, c], 0.85), [b, a, c]);
    assert.deepEqual(nms([], 0.5), []);
  });
});
