import assert from 'node:assert/strict';
import { LineCrossingDetector, type Crossing } from '../../agent/analytics/line-crossing.js';
import { sideValue, type Point } from '../../agent/analytics/geometry.js';
import { loadLineGroundTruth } from './support/line-ground-truth.js';

/** Feeds a path of ground points (one per 100 ms) and returns the crossings it produced. */
function run(det: LineCrossingDetector, path: Point[], id = 't1', label = 'car'): Crossing[] {
  const out: Crossing[] = [];
  path.forEach((p, i) => {
    const c = det.observe(id, label, p, i * 100);
    if (c) out.push(c);
  });
  return out;
}

describe('line crossing', () => {
  // A horizontal line left to right: with y down, "left of from->to" is above it (smaller y).
  const line = { name: 'l', from: [100, 100] as Point, to: [300, 100] as Point };

  it('follows the fixture README convention exactly (worked example: ab)', () => {
    const gt = loadLineGroundTruth();
    const a: Point = [gt.line.from[0] * 320, gt.line.from[1] * 240];
    const b: Point = [gt.line.to[0] * 320, gt.line.to[1] * 240];
    assert.ok(Math.abs(sideValue(a, b, [130, 60]) - -3853.5) < 1);
    assert.ok(Math.abs(sideValue(a, b, [110, 85]) - 4498.5) < 1);
    const det = new LineCrossingDetector({ name: 'gt', from: a, to: b });
    const got = run(det, [[130, 60], [120, 72], [110, 85]]);
    assert.deepEqual(got.map((c) => c.direction), ['ab']);
  });

  it('counts down across a left-to-right line as ab and up as ba', () => {
    const det = new LineCrossingDetector(line, { margin: 3 });
    assert.deepEqual(run(det, [[200, 50], [200, 90], [200, 110], [200, 150]], 'down').map((c) => c.direction), ['ab']);
    assert.deepEqual(run(det, [[150, 150], [150, 104], [150, 60]], 'up').map((c) => c.direction), ['ba']);
  });

  it('reports the crossing with its track, label, line and the completing sighting time', () => {
    const det = new LineCrossingDetector(line);
    const [c] = run(det, [[200, 90], [200, 110]], 'x7', 'truck');
    assert.deepEqual(c, { line: 'l', trackId: 'x7', label: 'truck', direction: 'ab', ts: 100 });
  });

  it('does not count twice when the ground point jitters on the line (hysteresis)', () => {
    const det = new LineCrossingDetector(line, { margin: 4 });
    const jitter: Point[] = [[200, 80], [200, 97], [200, 102], [200, 98], [200, 103], [200, 99], [200, 101], [200, 96], [200, 103], [200, 120]];
    assert.deepEqual(run(det, jitter).map((c) => c.direction), ['ab']);
  });

  it('never counts an object standing on the line and jittering across it (the dead band), which a bare side test would', () => {
    // 2 px either side of the line is inside a 4 px dead band: no side is ever established.
    const det = new LineCrossingDetector(line, { margin: 4 });
    assert.deepEqual(run(det, [[200, 98], [200, 102], [200, 98], [200, 102]], 'j'), []);
    const bare = new LineCrossingDetector(line);
    assert.equal(run(bare, [[200, 98], [200, 102], [200, 98], [200, 102]], 'j').length, 1);
  });

  it('counts a track once per line even if it turns back across it', () => {
    const det = new LineCrossingDetector(line);
    assert.equal(run(det, [[200, 50], [200, 150], [200, 50], [200, 150]]).length, 1);
  });

  it('ignores a pass outside the segment extent', () => {
    const det = new LineCrossingDetector(line);
    assert.deepEqual(run(det, [[350, 50], [350, 150]], 'beyond-b'), []);
    assert.deepEqual(run(det, [[50, 50], [50, 150]], 'beyond-a'), []);
    // A diagonal move that starts beyond the end but meets the segment inside it does count.
    assert.equal(run(det, [[320, 60], [280, 140]], 'diag').length, 1);
  });

  it('counts a large jump over the line (low detect fps) when the move meets the segment', () => {
    const det = new LineCrossingDetector(line, { margin: 5 });
    assert.deepEqual(run(det, [[150, 20], [170, 180]]).map((c) => c.direction), ['ab']);
  });

  it('needs a clear side first: a track born on the line and leaving does not count', () => {
    const det = new LineCrossingDetector(line, { margin: 5 });
    assert.deepEqual(run(det, [[200, 101], [200, 130], [200, 160]]), []);
  });

  it('honours the labels filter', () => {
    const det = new LineCrossingDetector({ ...line, labels: ['car', 'bus'] });
    assert.deepEqual(run(det, [[200, 50], [200, 150]], 'p', 'person'), []);
    assert.equal(run(det, [[200, 50], [200, 150]], 'b', 'bus').length, 1);
  });

  it('keeps tracks apart and forgets ended ones', () => {
    const det = new LineCrossingDetector(line);
    det.observe('a', 'car', [200, 50], 0);
    det.observe('b', 'car', [250, 150], 0);
    assert.equal(det.observe('a', 'car', [200, 150], 100)?.direction, 'ab');
    assert.equal(det.observe('b', 'car', [250, 50], 100)?.direction, 'ba');
    assert.equal(det.trackedCount, 2);
    det.forget('a');
    assert.equal(det.trackedCount, 1);
  });

  it('rejects a line with equal ends', () => {
    assert.throws(() => new LineCrossingDetector({ name: 'dot', from: [1, 1], to: [1, 1] }), /equal ends/);
  });
});
