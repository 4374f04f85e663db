import assert from 'node:assert/strict';
import { applyHomography, homographyFrom } from '../../agent/analytics/homography.js';
import { SpeedZone, groundPlane, type SpeedFact } from '../../agent/analytics/speed.js';
import type { Point } from '../../agent/analytics/geometry.js';

/**
 * A synthetic camera: ground metres (X across the road, Y along it) to image pixels with real
 * perspective (the far end is compressed 3x), so a per-pixel constant scale would be wrong.
 */
const CAMERA = [20, 0, 160, 0, 8, 40, 0, 0.05, 1];
const project = (g: Point): Point => applyHomography(CAMERA, g);
/** A 10 m x 40 m stretch of road as the installer would draw and measure it. */
const ROAD: Point[] = [[0, 0], [10, 0], [10, 40], [0, 40]];
const zone = { name: 'stretch', polygon: ROAD.map(project), distances: [10, 40, 10, 40] };

/** Drives a ground point from `start` at `kmh` along `dir` (unit vector), sampled at `fps`, through the zone. */
function drive(z: SpeedZone, start: Point, dir: Point, kmh: number, fps: number, jitterPx = 0): SpeedFact[] {
  const v = kmh / 3.6;
  const out: SpeedFact[] = [];
  for (let i = 0; i < 60 * fps; i++) {
    const t = i / fps;
    const g: Point = [start[0] + dir[0] * v * t, start[1] + dir[1] * v * t];
    const p = project(g);
    const wobble = jitterPx * Math.sin(i * 2.3); // deterministic box jitter
    const f = z.observe('car1', 'car', [p[0] + wobble, p[1] - wobble], Math.round(t * 1000));
    if (f) out.push(f);
    if (g[1] > 60) break;
  }
  return out;
}

const within = (got: number, want: number, frac: number): boolean => Math.abs(got - want) <= want * frac;

describe('speed estimation', () => {
  it('maps the measured quadrilateral onto a metre rectangle (homography round trip)', () => {
    const h = groundPlane(zone.polygon, zone.distances);
    for (const g of [[0, 0], [10, 40], [5, 20], [2.5, 33]] as Point[]) {
      const back = applyHomography(h, project(g));
      assert.ok(Math.hypot(back[0] - g[0], back[1] - g[1]) < 1e-6, `${g} -> ${back}`);
    }
    assert.throws(() => homographyFrom([[0, 0], [1, 1], [2, 2], [0, 5]], ROAD), /degenerate/);
  });

  it('gives a car driving 50 km/h through the zone 50 km/h (within 5 %), once, when it leaves', () => {
    const z = new SpeedZone(zone);
    const facts = drive(z, [5, -10], [0, 1], 50, 5);
    assert.equal(facts.length, 1);
    assert.equal(facts[0].zone, 'stretch');
    assert.ok(within(facts[0].speedKmh, 50, 0.05), `got ${facts[0].speedKmh} km/h`);
  });

  it('stays within 5 % for a slow diagonal lane change and for a fast car at low fps, with box jitter', () => {
    const slow = drive(new SpeedZone(zone), [1, -5], [0.242, 0.970], 20, 10, 0.5);
    assert.ok(within(slow[0].speedKmh, 20, 0.05), `slow ${slow[0]?.speedKmh}`);
    const fast = drive(new SpeedZone(zone), [8, -10], [0, 1], 110, 4, 0.5);
    assert.ok(within(fast[0].speedKmh, 110, 0.05), `fast ${fast[0]?.speedKmh}`);
  });

  it('reports the pass of a track that ends inside the zone, and nothing for a pass too short to measure', () => {
    const z = new SpeedZone(zone);
    z.observe('a', 'car', project([5, 5]), 0);
    z.observe('a', 'car', project([5, 10]), 1000);
    assert.ok(within(z.finish('a', 1000)?.speedKmh ?? 0, 18, 0.05));
    z.observe('b', 'car', project([5, 5]), 0);
    assert.equal(z.finish('b', 0), null);
    assert.equal(z.finish('never-seen', 0), null);
  });

  it('honours zone labels', () => {
    const z = new SpeedZone({ ...zone, labels: ['car'] });
    z.observe('p', 'person', project([5, 5]), 0);
    z.observe('p', 'person', project([5, 8]), 1000);
    assert.equal(z.finish('p', 1000), null);
  });

  it('refuses distances of the wrong arity or a zone that is not four corners', () => {
    assert.throws(() => new SpeedZone({ ...zone, distances: [10, 40, 10] }), /4 lengths/);
    assert.throws(() => new SpeedZone({ ...zone, distances: [10, 40, 0, 40] }), /4 lengths/);
    assert.throws(() => new SpeedZone({ ...zone, polygon: zone.polygon.slice(0, 3) }), /4 corners/);
  });
});
