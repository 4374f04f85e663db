import assert from 'node:assert/strict';
import path from 'node:path';
import { Value } from '@sinclair/typebox/value';
import { MotionSection } from '../../../agent/config/schema/detection.js';
import type { Polygon } from '../../../agent/config/schema/common.js';
import { AgentError } from '../../../agent/core/errors.js';
import { MotionDetector, type MotionConfig, type MotionResult } from '../../../agent/detection/motion/index.js';
import type { PixelBox } from '../../../agent/detection/types.js';
import type { VideoFrame } from '../../../agent/ingest/types.js';
import { decodeFrames } from '../../support/decode-frames.js';
import { VIDEOS_DIR } from '../../support/tmp.js';

const W = 640;
const H = 360;
const rect = (x1: number, y1: number, x2: number, y2: number): Polygon => [[x1, y1], [x2, y1], [x2, y2], [x1, y2]];
/**
 * intel_car-detection.mp4 at 5 fps (the default detect rate): a top-down car park. Found by viewing
 * the frames: the scene is empty in 8-21, 50-70, 100-124 and 142-150; cars cross it in 24-40,
 * 76-92 and 127-137. The camera's auto-exposure darkens the whole picture by up to 40 luma levels
 * while a white car crosses.
 */
const EMPTY = [[8, 21], [50, 70], [100, 124], [142, 150]];
const CARS = [[24, 40], [76, 92], [127, 137]];
/** Things that flicker all the time at the picture edges (a pole top-right, corner artefacts). */
const EDGE_MASKS = [rect(0.68, 0, 0.85, 0.15), rect(0.94, 0, 1, 0.16), rect(0, 0, 0.1, 0.16), rect(0.92, 0.85, 1, 1), rect(0, 0.33, 0.04, 0.46)];

const defaults = (over: Partial<MotionConfig> = {}): MotionConfig => ({ ...(Value.Default(MotionSection, {}) as MotionConfig), ...over });
const inRanges = (ranges: number[][], i: number): boolean => ranges.some(([a, b]) => i >= a && i <= b);
const centreInside = (b: PixelBox, x1: number, y1: number, x2: number, y2: number): boolean => {
  const cx = (b[0] + b[2]) / 2 / W;
  const cy = (b[1] + b[3]) / 2 / H;
  return cx >= x1 && cx <= x2 && cy >= y1 && cy <= y2;
};

function run(frames: VideoFrame[], cfg: MotionConfig, masks: Polygon[]): MotionResult[] {
  const md = new MotionDetector(cfg, W, H, masks);
  return frames.map((f) => md.detect(f));
}

/** The frame with its luma raised by `step` (clamped): lights switching on. */
function brighter(f: VideoFrame, step: number): VideoFrame {
  const data = Buffer.from(f.data);
  for (let i = 0; i < W * H; i++) data[i] = Math.min(255, data[i] + step);
  return { ...f, data };
}

/** The frame's luma moved right by `dx` pixels (the left edge repeated): the camera turned a little. */
function shifted(f: VideoFrame, dx: number): VideoFrame {
  const data = Buffer.from(f.data);
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) data[y * W + x] = f.data[y * W + Math.max(0, x - dx)];
  return { ...f, data };
}

/** The frame with a w x h block `delta` levels off the mean luma under it at (x, y): a small figure. */
function withFigure(f: VideoFrame, x0: number, y0: number, w: number, h: number, delta: number): VideoFrame {
  const data = Buffer.from(f.data);
  let sum = 0;
  for (let y = y0; y < y0 + h; y++) for (let x = x0; x < x0 + w; x++) sum += data[y * W + x];
  const v = Math.max(0, Math.min(255, Math.round(sum / (w * h) + delta)));
  for (let y = y0; y < y0 + h; y++) data.fill(v, y * W + x0, y * W + x0 + w);
  return { ...f, data };
}

describe('motion detector on a real car-park clip', function () {
  let frames: VideoFrame[] = [];

  before(async function () {
    frames = await decodeFrames(path.join(VIDEOS_DIR, 'intel_car-detection.mp4'), { width: W, height: H, fps: 5 });
    assert.ok(frames.length >= 150, `decoded ${frames.length} frames`);
  });

  it('reports motion where cars pass and none in the empty stretches', function () {
    const results = run(frames, defaults(), EDGE_MASKS);
    assert.equal(results[0].calibrating, true, 'the first frame seeds the background');
    results.forEach((r, i) => {
      if (inRanges(EMPTY, i)) {
        assert.deepEqual(r.boxes, [], `frame ${i} is empty but got ${JSON.stringify(r.boxes)}`);
        assert.equal(r.calibrating, false, `frame ${i} calibrating`);
        assert.ok(r.motionPercent < 0.5, `frame ${i}: ${r.motionPercent}% motion in an empty scene`);
      }
      if (inRanges(CARS, i)) {
        assert.ok(r.boxes.length > 0, `frame ${i} has a car but no motion box`);
        assert.ok(r.motionPercent > 1, `frame ${i}: only ${r.motionPercent}% motion with a car`);
        // The cars drive along the middle of the car park.
        assert.ok(r.boxes.some((b) => centreInside(b, 0.15, 0, 0.8, 1) && b[2] - b[0] >= 30 && b[3] - b[1] >= 30), `frame ${i}: ${JSON.stringify(r.boxes)}`);
      }
      for (const b of r.boxes) assert.ok(b[0] >= 0 && b[1] >= 0 && b[2] <= W && b[3] <= H && b[2] > b[0] && b[3] > b[1], `box ${b} in frame`);
    });
  });

  it('masks suppress motion inside them', function () {
    // Pixel-to-pixel comparison, so that the drifting edges show motion without masks.
    const unmasked = run(frames, defaults({ swayRadius: 0 }), []);
    const edgeBoxes = unmasked.filter((r, i) => inRanges(EMPTY, i) && r.boxes.length > 0).length;
    assert.ok(edgeBoxes > 10, `without masks the drifting edges show motion (${edgeBoxes} frames)`);

    const lane = rect(0.2, 0, 0.7, 1);
    const masked = run(frames, defaults({ swayRadius: 0 }), [...EDGE_MASKS, lane]);
    masked.forEach((r, i) => {
      for (const b of r.boxes) assert.ok(!centreInside(b, 0.25, 0.05, 0.65, 0.95), `frame ${i}: box ${b} inside the masked lane`);
      if (inRanges(EMPTY, i)) assert.deepEqual(r.boxes, []);
    });
    const laneMotion = unmasked.filter((r, i) => inRanges(CARS, i) && r.boxes.some((b) => centreInside(b, 0.25, 0.05, 0.65, 0.95))).length;
    assert.ok(laneMotion > 20, `without the lane mask the cars show there (${laneMotion} frames)`);
  });

  it('learns where the view drifts: without masks its edges stop showing motion, the cars still do', function () {
    // The camera creeps: the parking lines at the edges move by a few pixels over the clip.
    const emptyWithMotion = (results: MotionResult[]): number => results.filter((r, i) => inRanges(EMPTY, i) && r.boxes.length > 0).length;
    const pixelToPixel = emptyWithMotion(run(frames, defaults({ swayRadius: 0 }), []));
    const results = run(frames, defaults(), []);
    const learned = emptyWithMotion(results);
    const emptyFrames = EMPTY.reduce((n, [a, b]) => n + b - a + 1, 0);
    assert.ok(pixelToPixel > emptyFrames * 0.8, `compared pixel to pixel, ${pixelToPixel} of ${emptyFrames} empty frames show the edges`);
    assert.ok(learned <= emptyFrames * 0.2, `with the sway test ${learned} of ${emptyFrames} empty frames still show motion`);
    results.forEach((r, i) => {
      if (inRanges(CARS, i)) assert.ok(r.boxes.some((b) => centreInside(b, 0.15, 0, 0.8, 1) && b[2] - b[0] >= 30 && b[3] - b[1] >= 30), `frame ${i}: ${JSON.stringify(r.boxes)}`);
    });
  });

  it('a view creeping by a pixel every 8 frames shows no motion once learned; a small figure crossing a steady view is seen as often as compared pixel to pixel', function () {
    const still = frames[60];
    const creeping = Array.from({ length: 80 }, (_, i) => ({ ...shifted(still, Math.floor(i / 8)), ts: i * 200 }));
    const creepMotion = (cfg: MotionConfig): number => run(creeping, cfg, []).slice(30).filter((r) => r.boxes.length > 0).length;
    assert.ok(creepMotion(defaults({ swayRadius: 0 })) >= 40, 'compared pixel to pixel, the creeping edges are motion');
    assert.equal(creepMotion(defaults()), 0, 'with the sway test, once learned, they are not');

    // A 10x22 pixel figure, 50 levels darker than where it stands, walking 5 pixels a frame across the still view.
    const crossing = Array.from({ length: 100 }, (_, i) => ({ ...withFigure(still, 40 + i * 5, 200, 10, 22, -50), ts: i * 200 }));
    const seen = (cfg: MotionConfig): number =>
      run(crossing, cfg, EDGE_MASKS).filter((r, i) => i >= 20 && r.boxes.some((b) => b[0] <= 45 + i * 5 && b[2] > 45 + i * 5 && b[1] <= 211 && b[3] > 211)).length;
    const pixelToPixel = seen(defaults({ swayRadius: 0 }));
    assert.ok(pixelToPixel >= 70, `compared pixel to pixel the figure is seen in ${pixelToPixel} of 80 frames`);
    assert.equal(seen(defaults()), pixelToPixel);
  });

  for (const compensateExposure of [true, false]) {
    it(`a lights-on jump does not cause a motion storm (exposure compensation ${compensateExposure ? 'on' : 'off'})`, function () {
      // Empty scene 0..70; the lights go on (+70 luma) at frame 55 and stay on.
      const jump = 55;
      const input = frames.slice(0, 71).map((f, i) => (i >= jump ? brighter(f, 70) : f));
      const results = run(input, defaults({ compensateExposure }), EDGE_MASKS);
      const after = results.slice(jump);
      const withBoxes = after.filter((r) => r.boxes.length > 0).length;
      assert.ok(withBoxes <= 2, `${withBoxes} frames with motion after the jump: ${JSON.stringify(after.map((r) => r.boxes.length))}`);
      const settled = after.findIndex((r, k) => k > 0 && !r.calibrating);
      assert.ok(settled > 0 && settled <= 10, `calibrated again ${settled} frames after the jump`);
      for (const r of after.slice(settled)) assert.equal(r.calibrating, false);
      if (!compensateExposure) assert.ok(after.some((r) => r.calibrating), 'without compensation the jump recalibrates');
    });
  }

  it('rejects a frame of the wrong size, and a frame size that is no positive integer, with an actionable error', function () {
    const md = new MotionDetector(defaults(), 320, 180, []);
    assert.throws(() => md.detect(frames[0]), (e: unknown) => e instanceof AgentError && e.code === 'MOTION_FRAME_SIZE');
    for (const [w, h] of [[0, 180], [320, -1], [320.5, 180]]) {
      assert.throws(() => new MotionDetector(defaults(), w, h, []), (e: unknown) => e instanceof AgentError && e.code === 'MOTION_BAD_SIZE', `${w}x${h}`);
    }
  });

  it('a fully masked frame never reports motion', function () {
    const results = run(frames.slice(20, 40), defaults(), [rect(0, 0, 1, 1)]);
    for (const r of results) assert.deepEqual(r.boxes, []);
  });
});
