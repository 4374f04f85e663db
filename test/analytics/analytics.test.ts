import assert from 'node:assert/strict';
import { CameraAnalytics, type AnalyticsFact, type AnalyticsTrack } from '../../agent/analytics/analytics.js';

const W = 640;
const H = 360;
const T0 = Date.UTC(2026, 11, 5, 14, 0, 0);

/** A box w x h px whose bottom-centre is (x, y). */
const boxAt = (x: number, y: number, w = 40, h = 30): AnalyticsTrack['box'] => [x - w / 2, y - h, x + w / 2, y];

describe('camera analytics (all pieces, fed per frame)', () => {
  const camera = {
    id: 'north',
    // Across the frame at mid height, left to right: moving down the picture is ab.
    lines: [{ name: 'mid', from: [0.05, 0.5] as [number, number], to: [0.95, 0.5] as [number, number] }],
    zones: [
      // 0.3..0.7 of the height, measured as 8 m across and 20 m along the road.
      { name: 'stretch', polygon: [[0.4, 0.3], [0.6, 0.3], [0.6, 0.7], [0.4, 0.7]] as [number, number][], distances: [8, 20, 8, 20] },
      { name: 'bay', polygon: [[0.8, 0.8], [1, 0.8], [1, 1], [0.8, 1]] as [number, number][], loiterSeconds: 30 },
    ],
  };

  function run(): { facts: AnalyticsFact[]; a: CameraAnalytics } {
    const a = new CameraAnalytics(camera, { countIntervalSeconds: 10, lineHysteresis: 0.01 }, ['car', 'person']);
    const facts: AnalyticsFact[] = [];
    // 5 fps for 70 s. The car drives straight down the middle from y=60 to y=330 px in 9 s (30 px/s),
    // i.e. through the 144 px (20 m) zone at 20/144*30 m/s = 15 km/h. It ends at 9.2 s.
    // A parked car sits in the bay the whole time.
    for (let i = 0; i <= 350; i++) {
      const ts = T0 + i * 200;
      const t = i / 5;
      const tracks: AnalyticsTrack[] = [{ id: 'parked', label: 'car', box: boxAt(580 + (i % 3), 340) }];
      if (t <= 9) tracks.push({ id: 'mover', label: 'car', box: boxAt(320, 60 + 30 * t) });
      facts.push(...a.update({ cameraId: 'north', ts, frameW: W, frameH: H, tracks, ended: i === 46 ? ['mover'] : [] }));
    }
    return { facts, a };
  }

  it('reports the crossing, the counts per interval, the speed, loitering and a summary at the end', () => {
    const { facts, a } = run();
    const crossings = facts.filter((f) => f.kind === 'crossing');
    assert.deepEqual(crossings.map((c) => [c.trackId, c.line, c.direction]), [['mover', 'mid', 'ab']]);

    const counts = facts.flatMap((f) => (f.kind === 'counts' ? [f.report] : []));
    assert.equal(counts.length, 7, 'intervals [0,10) .. [60,70) s closed; [70,80) still open');
    assert.deepEqual(counts[0].counts, { car: { ab: 1, ba: 0 }, person: { ab: 0, ba: 0 } });
    for (const r of counts.slice(1)) assert.deepEqual(r.counts, { car: { ab: 0, ba: 0 }, person: { ab: 0, ba: 0 } });

    const speeds = facts.filter((f) => f.kind === 'speed');
    assert.equal(speeds.length, 1);
    assert.ok(speeds[0].kind === 'speed' && Math.abs(speeds[0].speedKmh - 15) <= 0.75, JSON.stringify(speeds[0]));

    const loiter = facts.filter((f) => f.kind === 'loitering');
    assert.deepEqual(loiter.map((f) => f.kind === 'loitering' && [f.trackId, f.zone, f.ts - T0]), [['parked', 'bay', 30_200]]);

    const summaries = facts.filter((f) => f.kind === 'summary');
    assert.equal(summaries.length, 1);
    const s = summaries[0].kind === 'summary' ? summaries[0].summary : null;
    assert.equal(s?.direction, 'down');
    assert.deepEqual(s?.crossings.map((c) => [c.line, c.direction]), [['mid', 'ab']]);
    assert.ok(s?.speedKmh !== undefined && Math.abs(s.speedKmh - 15) <= 0.75);

    assert.equal(a.summary('parked')?.direction, 'none', 'a parked car has no heading');
    assert.equal(a.summary('parked')?.speedKmh, undefined, 'no speed outside a measured zone');
    assert.deepEqual(a.occupancy(), { stretch: {}, bay: { car: 1 } });
  });

  it('gives no speed without distances', () => {
    const noDistances = { ...camera, zones: camera.zones.map(({ name, polygon }) => ({ name, polygon })) };
    const a = new CameraAnalytics(noDistances, { countIntervalSeconds: 60, lineHysteresis: 0.01 }, ['car']);
    const facts: AnalyticsFact[] = [];
    for (let i = 0; i <= 50; i++) {
      const tracks = i <= 45 ? [{ id: 'm', label: 'car', box: boxAt(320, 60 + 6 * i) }] : [];
      facts.push(...a.update({ cameraId: 'north', ts: T0 + i * 200, frameW: W, frameH: H, tracks, ended: i === 46 ? ['m'] : [] }));
    }
    assert.equal(facts.filter((f) => f.kind === 'speed').length, 0);
    const s = facts.find((f) => f.kind === 'summary');
    assert.ok(s && s.kind === 'summary' && !('speedKmh' in s.summary));
  });

  it('scales 0..1 lines to the frame and its hysteresis to the frame diagonal', () => {
    // from (0,0) to (1,1): in pixels (0,0) -> (640,360), running down-right, so its left is the upper-right side.
    const diag = { id: 'c', lines: [{ name: 'd', from: [0, 0] as [number, number], to: [1, 1] as [number, number] }], zones: [] };
    const a = new CameraAnalytics(diag, { countIntervalSeconds: 60, lineHysteresis: 0.01 }, ['car']);
    const feed = (id: string, pts: [number, number][]): string[] =>
      pts.flatMap(([x, y], i) => a.update({ cameraId: 'c', ts: T0 + i * 200, frameW: W, frameH: H, tracks: [{ id, label: 'car', box: boxAt(x, y) }] }))
        .flatMap((f) => (f.kind === 'crossing' ? [f.direction] : []));
    // (400,200) is 21.8 px left of the line, (400,250) 21.8 px right: clear of the 7.3 px dead band (1 % of 734 px).
    assert.deepEqual(feed('t', [[400, 200], [400, 250]]), ['ab']);
    // 4.4 px either side stays inside the dead band: no side, no crossing.
    assert.deepEqual(feed('u', [[400, 220], [400, 230], [400, 220], [400, 230]]), []);
  });

  it('follows unconfirmed tracks, holds their crossings until confirmed and drops them if never', () => {
    const line = { id: 'c', lines: [{ name: 'mid', from: [0, 0.5] as [number, number], to: [1, 0.5] as [number, number] }], zones: [] };
    const a = new CameraAnalytics(line, { countIntervalSeconds: 1, lineHysteresis: 0.01 }, ['car']);
    const facts: AnalyticsFact[] = [];
    // 'real' crosses at frame 2 while unconfirmed and is confirmed at frame 3; 'ghost' crosses and is never confirmed.
    for (let i = 0; i <= 12; i++) {
      const tracks: AnalyticsTrack[] = [];
      if (i <= 6) tracks.push({ id: 'real', label: 'car', box: boxAt(200, 150 + 30 * i), confirmed: i >= 3 });
      if (i <= 3) tracks.push({ id: 'ghost', label: 'car', box: boxAt(400, 150 + 30 * i), confirmed: false });
      facts.push(...a.update({ cameraId: 'c', ts: T0 + i * 200, frameW: W, frameH: H, tracks, ended: i === 4 ? ['ghost'] : [] }));
    }
    const crossings = facts.filter((f) => f.kind === 'crossing');
    assert.deepEqual(crossings.map((f) => f.kind === 'crossing' && [f.trackId, f.direction, f.ts - T0]), [['real', 'ab', 400]]);
    const counted = facts.flatMap((f) => (f.kind === 'counts' ? [f.report.counts.car.ab] : []));
    assert.deepEqual(counted, [1, 0], 'one car in the interval it was released in, the ghost never');
    assert.equal(facts.filter((f) => f.kind === 'summary').length, 1, 'the ghost ends too (its state freed)');
  });

  it('keeps the heading right for a long track whose path is thinned', () => {
    const a = new CameraAnalytics({ id: 'c', lines: [], zones: [] }, { countIntervalSeconds: 60, lineHysteresis: 0.01 }, ['car']);
    // 400 sightings of a 40x30 box (diagonal 50 px) creeping 40 px to the right: 0.8 of its size.
    for (let i = 0; i < 400; i++) a.update({ cameraId: 'c', ts: T0 + i * 200, frameW: W, frameH: H, tracks: [{ id: 'slow', label: 'car', box: boxAt(100 + i / 10, 200) }] });
    assert.equal(a.summary('slow')?.direction, 'right');
  });
});
