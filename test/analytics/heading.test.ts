import assert from 'node:assert/strict';
import { headingOf } from '../../agent/analytics/heading.js';
import type { Point } from '../../agent/analytics/geometry.js';

/** A straight path of n points from p0 moving (dx, dy) per step. */
const path = (p0: Point, dx: number, dy: number, n = 10): Point[] => Array.from({ length: n }, (_, i) => [p0[0] + i * dx, p0[1] + i * dy] as Point);

describe('motion heading', () => {
  const opts = { minDistance: 10 };

  it('names the eight image-space directions (y down: up is towards the top of the picture)', () => {
    const cases: [number, number, string][] = [
      [0, -5, 'up'], [5, -5, 'up-right'], [5, 0, 'right'], [5, 5, 'down-right'],
      [0, 5, 'down'], [-5, 5, 'down-left'], [-5, 0, 'left'], [-5, -5, 'up-left'],
    ];
    for (const [dx, dy, want] of cases) assert.equal(headingOf(path([100, 100], dx, dy), opts), want, `${dx},${dy}`);
  });

  it('bins by nearest 45° sector', () => {
    assert.equal(headingOf(path([0, 0], 10, -3), opts), 'right', '17° above right is still right');
    assert.equal(headingOf(path([0, 0], 10, -6), opts), 'up-right', '31° above right is up-right');
    assert.equal(headingOf(path([0, 0], -2, 10), opts), 'down', '11° off down');
  });

  it('says none for a still object whose box jitters', () => {
    const jitter: Point[] = [[100, 100], [103, 98], [98, 102], [101, 97], [99, 103], [102, 100], [100, 99], [97, 101]];
    assert.equal(headingOf(jitter, opts), 'none');
    assert.equal(headingOf([[5, 5]], opts), 'none');
    assert.equal(headingOf([], opts), 'none');
  });

  it('uses the net move, so a detour or a jittery first box does not decide it', () => {
    // Goes right overall, with a wild first sighting far below.
    const p: Point[] = [[0, 80], ...path([0, 0], 10, 0, 20).slice(1)];
    assert.equal(headingOf(p, opts), 'right');
    // Goes down, wobbling left and right on the way.
    const wobble: Point[] = Array.from({ length: 12 }, (_, i) => [100 + (i % 2 ? 15 : -15), i * 10] as Point);
    assert.equal(headingOf(wobble, opts), 'down');
  });
});
