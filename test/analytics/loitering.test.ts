import assert from 'node:assert/strict';
import { LoiterWatch, type LoiterFact } from '../../agent/analytics/loitering.js';
import type { Point } from '../../agent/analytics/geometry.js';

const square: Point[] = [[100, 100], [200, 100], [200, 200], [100, 200]];
const IN: Point = [150, 150];
const OUT: Point = [300, 300];

/** Feeds the same point every second from t0 (s) to t1 (s) inclusive; returns the facts. */
function stay(w: LoiterWatch, id: string, p: Point, t0: number, t1: number, label = 'person'): LoiterFact[] {
  const out: LoiterFact[] = [];
  for (let t = t0; t <= t1; t++) {
    const f = w.observe(id, label, p, t * 1000);
    if (f) out.push(f);
  }
  return out;
}

describe('dwell and loitering', () => {
  it('reports loitering once, after loiterSeconds in the zone', () => {
    const w = new LoiterWatch({ name: 'bench', polygon: square, loiterSeconds: 30 });
    assert.deepEqual(stay(w, 'p1', IN, 0, 30), [], 'exactly 30 s is not longer than 30 s');
    const facts = stay(w, 'p1', IN, 31, 120);
    assert.deepEqual(facts, [{ zone: 'bench', trackId: 'p1', label: 'person', since: 0, ts: 31_000, loitering: true }]);
  });

  it('never reports loitering for a zone without loiterSeconds, but still counts who is in it', () => {
    const w = new LoiterWatch({ name: 'road', polygon: square });
    assert.deepEqual(stay(w, 'c1', IN, 0, 600, 'car'), []);
    assert.deepEqual(w.occupancy(), { car: 1 });
  });

  it('restarts the dwell after the object really left, not when it wobbles over the edge', () => {
    const w = new LoiterWatch({ name: 'bench', polygon: square, loiterSeconds: 10 }, { leaveGraceMs: 2000 });
    stay(w, 'p1', IN, 0, 6);
    stay(w, 'p1', [201, 150], 7, 7); // one sighting just outside: within the grace
    assert.equal(w.dwellMs('p1', 8000), 8000);
    assert.equal(stay(w, 'p1', IN, 8, 11).length, 1, 'the wobble did not reset the dwell');

    const w2 = new LoiterWatch({ name: 'bench', polygon: square, loiterSeconds: 10 }, { leaveGraceMs: 2000 });
    stay(w2, 'p2', IN, 0, 6);
    stay(w2, 'p2', OUT, 7, 12); // gone for 6 s
    assert.equal(w2.dwellMs('p2', 12_000), null);
    assert.deepEqual(stay(w2, 'p2', IN, 13, 20), [], 'a fresh dwell of 7 s');
  });

  it('reports a track once even if it leaves and loiters again', () => {
    const w = new LoiterWatch({ name: 'bench', polygon: square, loiterSeconds: 5 }, { leaveGraceMs: 0 });
    assert.equal(stay(w, 'p1', IN, 0, 10).length, 1);
    stay(w, 'p1', OUT, 11, 20);
    assert.equal(stay(w, 'p1', IN, 21, 40).length, 0);
  });

  it('counts occupancy per label and honours the zone labels', () => {
    const w = new LoiterWatch({ name: 'stop', polygon: square, labels: ['person', 'bicycle'], loiterSeconds: 5 });
    stay(w, 'a', IN, 0, 1, 'person');
    stay(w, 'b', [120, 180], 0, 1, 'person');
    stay(w, 'c', [180, 120], 0, 1, 'bicycle');
    assert.deepEqual(stay(w, 'd', IN, 0, 60, 'car'), [], 'a car is not watched in this zone');
    stay(w, 'e', OUT, 0, 1, 'person');
    assert.deepEqual(w.occupancy(), { person: 2, bicycle: 1 });
    w.forget('a');
    assert.deepEqual(w.occupancy(), { person: 1, bicycle: 1 });
  });
});
