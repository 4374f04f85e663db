import assert from 'node:assert/strict';
import { inSchedule } from '../../../agent/detection/stage/schedule.js';
import { inAnyPolygon, pointInPolygon, zonesAt } from '../../../agent/detection/zones.js';

const at = (hh: number, mm: number): Date => new Date(2026, 0, 15, hh, mm);

describe('zones and masks', () => {
  const triangle = [[0.1, 0.1], [0.9, 0.1], [0.5, 0.9]] as [number, number][];

  it('tests points against a polygon (concave shapes too)', () => {
    assert.equal(pointInPolygon([0.5, 0.5], triangle), true);
    assert.equal(pointInPolygon([0.15, 0.8], triangle), false);
    const ell = [[0, 0], [0.5, 0], [0.5, 0.5], [1, 0.5], [1, 1], [0, 1]] as [number, number][];
    assert.equal(pointInPolygon([0.75, 0.25], ell), false, 'the notch of an L is outside');
    assert.equal(pointInPolygon([0.75, 0.75], ell), true);
    assert.equal(pointInPolygon([0.25, 0.25], ell), true);
  });

  it('places an object by its box bottom-centre and honours zone labels', () => {
    const zones = [
      { name: 'lawn', polygon: triangle },
      { name: 'drive', polygon: [[0, 0.5], [1, 0.5], [1, 1], [0, 1]] as [number, number][], labels: ['car'] },
    ];
    // Box reaches into the triangle at the top, but its feet (0.5, 0.95) are below it.
    assert.deepEqual(zonesAt([0.4, 0.2, 0.6, 0.95], 'person', zones), []);
    assert.deepEqual(zonesAt([0.4, 0.2, 0.6, 0.95], 'car', zones), ['drive']);
    assert.deepEqual(zonesAt([0.4, 0.2, 0.6, 0.6], 'car', zones), ['lawn', 'drive']);
    assert.equal(inAnyPolygon([0.4, 0.0, 0.6, 0.3], [triangle]), true);
    assert.equal(inAnyPolygon([0.4, 0.0, 0.6, 0.05], [triangle]), false);
  });
});

describe('detect schedule', () => {
  it('is always on without a schedule', () => {
    assert.equal(inSchedule(undefined, at(3, 0)), true);
  });

  it('runs inside a same-day window, from inclusive and to exclusive', () => {
    const s = { from: '08:30', to: '17:00' };
    assert.equal(inSchedule(s, at(8, 29)), false);
    assert.equal(inSchedule(s, at(8, 30)), true);
    assert.equal(inSchedule(s, at(16, 59)), true);
    assert.equal(inSchedule(s, at(17, 0)), false);
  });

  it('wraps past midnight', () => {
    const s = { from: '22:00', to: '06:00' };
    assert.equal(inSchedule(s, at(21, 59)), false);
    assert.equal(inSchedule(s, at(22, 0)), true);
    assert.equal(inSchedule(s, at(0, 0)), true);
    assert.equal(inSchedule(s, at(5, 59)), true);
    assert.equal(inSchedule(s, at(6, 0)), false);
    assert.equal(inSchedule(s, at(12, 0)), false);
  });

  it('treats from == to as the whole day', () => {
    assert.equal(inSchedule({ from: '07:00', to: '07:00' }, at(3, 0)), true);
  });
});
