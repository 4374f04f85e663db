import assert from 'node:assert/strict';
import { pixelBox } from '../../../agent/detection/coords.js';
import { splitCutDetections } from '../../../agent/detection/detector/region-edges.js';
import type { Detection } from '../../../agent/detection/types.js';

const det = (label: string, score: number, b: [number, number, number, number]): Detection => ({ label, score, box: pixelBox(...b) });

describe('splitCutDetections: boxes cut by a region edge', function () {
  const left = pixelBox(0, 0, 320, 320);
  const right = pixelBox(240, 0, 560, 320);

  it('drops the part of an object cut by an inner edge when another region has it whole', function () {
    const whole = det('car', 0.8, [280, 100, 380, 160]);
    const part = det('car', 0.6, [280, 100, 319, 160]); // touches left's right edge (320), an inner edge
    const out = splitCutDetections([{ region: left, detections: [part] }, { region: right, detections: [whole] }], 640, 360);
    assert.deepEqual(out, { kept: [whole], cutAlone: [] });
  });

  it('hands back a cut part nobody saw whole (to look again), keeps boxes at the frame edge', function () {
    const part = det('car', 0.6, [280, 100, 319, 160]);
    const atFrameEdge = det('person', 0.7, [0, 10, 30, 90]); // left's left edge is the frame's
    const other = det('car', 0.7, [400, 200, 450, 240]);
    const out = splitCutDetections([{ region: left, detections: [part, atFrameEdge] }, { region: right, detections: [other] }], 640, 360);
    assert.deepEqual(out, { kept: [atFrameEdge, other], cutAlone: [[280, 100, 358, 160]] }, 'where the car continues: past the cut edge by its own width');
  });

  it('does not let a cut part remove another cut part', function () {
    const a = det('car', 0.6, [280, 100, 319, 160]);
    const b = det('car', 0.6, [241, 100, 300, 160]); // touches right's left edge (240)
    assert.deepEqual(splitCutDetections([{ region: left, detections: [a] }, { region: right, detections: [b] }], 640, 360), { kept: [], cutAlone: [[280, 100, 358, 160], [182, 100, 300, 160]] });
  });
});
