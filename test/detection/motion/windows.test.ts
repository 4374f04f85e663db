import assert from 'node:assert/strict';
import { pixelBox } from '../../../agent/detection/coords.js';
import { planRegions } from '../../../agent/detection/regions.js';
import type { PixelBox } from '../../../agent/detection/types.js';
import { planWindows, wholeFrameRegion } from '../../../agent/detection/windows.js';

/** The default model: 512x288 for a whole 640x360 frame (0.8), stride 32, so windows sit on a 40-pixel grid. */
const MODEL = { width: 512, height: 288, stride: 32 };
const px = (...boxes: [number, number, number, number][]): PixelBox[] => boxes.map((b) => pixelBox(...b));
const covers = (r: PixelBox, b: PixelBox): boolean => r[0] <= b[0] && r[1] <= b[1] && r[2] >= b[2] && r[3] >= b[3];
const area = (r: PixelBox): number => (r[2] - r[0]) * (r[3] - r[1]);
const onGrid = (r: PixelBox, grid: number): boolean => r.every((v, i) => v % grid === 0 || v === [640, 360][i % 2]);

describe('planWindows: the parts of the frame a model taking windows looks at', function () {
  it('gives nothing for no boxes, or boxes wholly outside the frame', function () {
    assert.deepEqual(planWindows([], 640, 360, MODEL), []);
    assert.deepEqual(planWindows(px([700, 10, 760, 60]), 640, 360, MODEL), []);
  });

  it('puts a small box in one window on the stride grid, with context, at least four strides a side', function () {
    const box = pixelBox(300, 150, 330, 200);
    const [w, ...rest] = planWindows([box], 640, 360, MODEL);
    assert.equal(rest.length, 0);
    assert.ok(covers(w, pixelBox(300 - 30, 150 - 30, 330 + 30, 200 + 30)), `${w} holds the box and 24 model pixels (30 frame pixels) around it`);
    assert.ok(onGrid(w, 40), `${w} on the 40-pixel grid`);
    assert.ok(w[2] - w[0] >= 160 && w[3] - w[1] >= 160, `${w}: at least 4 strides a side`);
    assert.ok(area(w) < 0.25 * 640 * 360, `${w}: a small part of the frame`);
  });

  it('keeps a window at the frame edge inside the frame', function () {
    const [w] = planWindows(px([620, 340, 640, 360]), 640, 360, MODEL);
    assert.deepEqual(w, [480, 200, 640, 360]);
    const [o] = planWindows(px([0, 0, 12, 12]), 640, 360, MODEL);
    assert.deepEqual(o, [0, 0, 160, 160]);
  });

  it('joins windows that overlap or cost no more together, keeps far ones apart', function () {
    assert.equal(planWindows(px([100, 100, 140, 140], [180, 120, 220, 160]), 640, 360, MODEL).length, 1);
    const far = planWindows(px([10, 10, 40, 40], [600, 320, 630, 350]), 640, 360, MODEL);
    assert.equal(far.length, 2);
    assert.ok(covers(far[0], pixelBox(10, 10, 40, 40)) && covers(far[1], pixelBox(600, 320, 630, 350)));
  });

  it('looks at the whole frame once the windows cover most of it', function () {
    assert.deepEqual(planWindows(px([20, 20, 600, 300]), 640, 360, MODEL), [[0, 0, 640, 360]]);
    // A frame of another aspect: the whole region the model was shaped for (the frame, extended to 16:9).
    assert.deepEqual(planWindows(px([0, 0, 640, 480]), 640, 480, MODEL), [wholeFrameRegion(640, 480, MODEL)]);
  });

  it('makes at most four runs, covering every box, however scattered the boxes', function () {
    const boxes = px([0, 0, 10, 10], [630, 0, 640, 10], [0, 350, 10, 360], [630, 350, 640, 360], [315, 175, 325, 185]);
    const windows = planWindows(boxes, 640, 360, MODEL);
    assert.ok(windows.length <= 4, `${windows.length} windows`);
    for (const b of boxes) assert.ok(windows.some((w) => covers(w, b)), `${b} in a window`);
  });

  it('covers every box of random scenes, on the grid, inside the frame, never overlapping', function () {
    let seed = 7;
    const rand = (n: number): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) % n);
    for (let scene = 0; scene < 300; scene++) {
      const boxes = Array.from({ length: 1 + rand(6) }, () => {
        const x = rand(620);
        const y = rand(340);
        return pixelBox(x, y, Math.min(640, x + 4 + rand(120)), Math.min(360, y + 4 + rand(90)));
      });
      const windows = planWindows(boxes, 640, 360, MODEL);
      for (const b of boxes) assert.ok(windows.some((w) => covers(w, b)), `scene ${scene}: ${b} in one of ${JSON.stringify(windows)}`);
      for (const w of windows) assert.ok(onGrid(w, 40) && w[0] >= 0 && w[1] >= 0 && w[2] <= 640 && w[3] <= 360, `scene ${scene}: ${w}`);
      for (let i = 0; i < windows.length; i++) {
        for (let j = i + 1; j < windows.length; j++) {
          const [a, b] = [windows[i], windows[j]];
          assert.ok(Math.min(a[2], b[2]) <= Math.max(a[0], b[0]) || Math.min(a[3], b[3]) <= Math.max(a[1], b[1]), `scene ${scene}: ${a} and ${b} overlap`);
        }
      }
    }
  });

  it('is what planRegions gives a model that takes windows; a frame-shaped model without them gets the whole frame', function () {
    const boxes = px([300, 150, 330, 200]);
    assert.deepEqual(planRegions(boxes, 640, 360, { width: 512, height: 288, windowStride: 32 }), planWindows(boxes, 640, 360, MODEL));
    assert.deepEqual(planRegions(boxes, 640, 360, { width: 512, height: 288 }), [[0, 0, 640, 360]]);
  });
});
