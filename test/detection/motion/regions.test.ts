import assert from 'node:assert/strict';
import { computeRegions, REGION_MARGIN } from '../../../agent/detection/regions.js';
import { wholeFrameRegion } from '../../../agent/detection/windows.js';
import { pixelBox } from '../../../agent/detection/coords.js';
import type { PixelBox } from '../../../agent/detection/types.js';

/** Pixel boxes from plain tuples. */
const px = (...boxes: [number, number, number, number][]): PixelBox[] => boxes.map((b) => pixelBox(...b));

const covers = (r: PixelBox, b: PixelBox): boolean => r[0] <= b[0] && r[1] <= b[1] && r[2] >= b[2] && r[3] >= b[3];
const isSquare = (r: PixelBox): boolean => r[2] - r[0] === r[3] - r[1];

describe('computeRegions', function () {
  it('gives nothing for no boxes', function () {
    assert.deepEqual(computeRegions([], 1280, 720, 512), []);
  });

  it('puts a small box in one model-size square centred on it', function () {
    const [r, ...rest] = computeRegions(px([600, 300, 650, 380]), 1280, 720, 512);
    assert.equal(rest.length, 0);
    assert.deepEqual(r, [369, 84, 881, 596]);
  });

  it('shifts a region at the frame edge inside the frame instead of cutting it', function () {
    const [r] = computeRegions(px([1250, 690, 1280, 720]), 1280, 720, 512);
    assert.deepEqual(r, [768, 208, 1280, 720]);
    const [l] = computeRegions(px([0, 0, 10, 10]), 1280, 720, 512);
    assert.deepEqual(l, [0, 0, 512, 512]);
  });

  it('merges boxes that fit one model-size region, keeps far ones apart', function () {
    const near = computeRegions(px([100, 100, 150, 150], [300, 300, 380, 400]), 1280, 720, 512);
    assert.equal(near.length, 1);
    const far = computeRegions(px([10, 10, 60, 60], [1200, 650, 1270, 710]), 1280, 720, 512);
    assert.equal(far.length, 2);
  });

  it('grows a region beyond the model size for a big object, with margin', function () {
    const box = pixelBox(100, 50, 800, 600);
    const [r] = computeRegions([box], 1280, 720, 512);
    assert.ok(covers(r, box));
    assert.equal(r[2] - r[0], Math.ceil(700 * REGION_MARGIN));
  });

  it('for a frame smaller than the model, gives one square from the origin past the far edge', function () {
    const regions = computeRegions(px([10, 10, 40, 40], [280, 200, 320, 240]), 320, 240, 512);
    assert.deepEqual(regions, [[0, 0, 320, 320]]);
  });

  it('a region wider than the frame height starts at 0 and runs past the bottom', function () {
    const [r] = computeRegions(px([300, 100, 360, 160]), 640, 360, 512);
    assert.deepEqual(r, [74, 0, 586, 512]);
  });

  it('clips boxes to the frame and drops empty ones', function () {
    assert.deepEqual(computeRegions(px([-50, -50, -10, -10], [700, 10, 800, 40]), 640, 360, 256), []);
    const [r] = computeRegions(px([-20, -20, 30, 30]), 640, 360, 256);
    assert.deepEqual(r, [0, 0, 256, 256]);
  });

  it('always covers every box with few in-frame squares (random scenes)', function () {
    let seed = 7;
    const rnd = (): number => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
    for (let scene = 0; scene < 300; scene++) {
      const [fw, fh] = [[640, 360], [1280, 720], [1920, 1080], [320, 240]][scene % 4];
      const model = [320, 512, 640][scene % 3];
      const boxes: PixelBox[] = [];
      for (let k = 0; k < 1 + Math.floor(rnd() * 12); k++) {
        const w = 5 + rnd() * fw * 0.5;
        const h = 5 + rnd() * fh * 0.5;
        const x = rnd() * (fw - w);
        const y = rnd() * (fh - h);
        boxes.push(pixelBox(Math.floor(x), Math.floor(y), Math.ceil(x + w), Math.ceil(y + h)));
      }
      const regions = computeRegions(boxes, fw, fh, model);
      assert.ok(regions.length >= 1 && regions.length <= boxes.length);
      for (const r of regions) {
        assert.ok(isSquare(r), `square ${r}`);
        assert.ok(r[2] - r[0] >= Math.min(model, Math.max(fw, fh)), `at least the model size ${r}`);
        assert.ok(r[0] >= 0 && r[1] >= 0, `starts inside ${r}`);
        if (r[2] - r[0] <= fw) assert.ok(r[2] <= fw, `inside horizontally ${r} in ${fw}x${fh}`);
        if (r[3] - r[1] <= fh) assert.ok(r[3] <= fh, `inside vertically ${r} in ${fw}x${fh}`);
      }
      for (const b of boxes) assert.ok(regions.some((r) => covers(r, b)), `box ${b} covered by ${JSON.stringify(regions)} (${fw}x${fh}, model ${model})`);
    }
  });
});

describe('wholeFrameRegion: the one region of a model shaped like a frame', () => {
  const model = { width: 512, height: 288 };
  it('is the frame itself when it has the model\'s aspect (640x360 into 512x288: scaled 0.8, no black)', () => {
    assert.deepEqual(wholeFrameRegion(640, 360, model), [0, 0, 640, 360]);
  });
  it('extends a narrower frame to the right, a wider one downwards (black there), never stretching it', () => {
    assert.deepEqual(wholeFrameRegion(640, 480, model), [0, 0, 854, 480], '4:3: 854x480 keeps 16:9');
    assert.deepEqual(wholeFrameRegion(640, 240, model), [0, 0, 640, 360], 'a wide strip gets rows of black below');
  });
});
