import assert from 'node:assert/strict';
import type { LineCountReport, ObjectEvent } from '../../../agent/core/object-event.js';
import { TrackAnalytics } from '../../../agent/detection/stage/track-analytics.js';
import { boxAt, configWith, trackerFor } from '../tracking/helpers.js';

const T0 = Date.UTC(2026, 11, 5, 14, 0, 0);

/**
 * The analytics in the detection loop's order (tracker.update, then TrackAnalytics.frame, then the
 * events go out) with the real tracker: what they put into the object's events.
 */
describe('analytics in the detection loop (real tracker)', () => {
  const config = configWith(
    {
      lines: [{ name: 'mid', from: [0.05, 0.5], to: [0.95, 0.5] }],
      zones: [
        { name: 'stretch', polygon: [[0.3, 0.2], [0.7, 0.2], [0.7, 0.8], [0.3, 0.8]], distances: [10, 30, 10, 30] },
        { name: 'bay', polygon: [[0.8, 0.7], [1, 0.7], [1, 1], [0.8, 1]], loiterSeconds: 5 },
      ],
    },
    { tracking: { minHits: 2, maxDisappearedSeconds: 1, updateIntervalSeconds: 60 } },
  );

  function run(): { events: ObjectEvent[]; counts: LineCountReport[]; analytics: TrackAnalytics } {
    const camera = config.cameras[0];
    const tracker = trackerFor(config);
    const counts: LineCountReport[] = [];
    const analytics = new TrackAnalytics(camera, { countIntervalSeconds: 5, lineHysteresis: 0.01 }, ['car'], (r) => counts.push(r));
    const events: ObjectEvent[] = [];
    // 5 fps for 12 s: a car drives down the middle (box bottom from 0.15 to 0.95 of the height in
    // 8 s) and leaves; a parked car stands in the bay all along. Frames after the mover left have it
    // missing: it ends on expiry.
    for (let i = 0; i <= 60; i++) {
      const ts = T0 + i * 200;
      const t = i / 5;
      const dets = [{ label: 'car', score: 0.9, box: boxAt(0.85 + (i % 2) * 0.002, 0.8, 0.1, 0.15) }];
      if (t <= 8) dets.push({ label: 'car', score: 0.9, box: boxAt(0.45, 0.1 * t, 0.1, 0.15) });
      const step = tracker.update(dets, ts);
      analytics.frame(tracker, step, ts);
      events.push(...step.events);
    }
    const last = tracker.endAll(T0 + 61 * 200);
    analytics.endedWithoutFrame(last, T0 + 61 * 200);
    events.push(...last.events);
    return { events, counts, analytics };
  }

  it('puts a crossing on an update of its object, loitering once on an update, speed on an update and the summary on the end', () => {
    const { events, analytics } = run();
    const ids = [...new Set(events.map((e) => e.objectId))];
    assert.equal(ids.length, 2);
    const mover = events.filter((e) => e.objectId === events.find((x) => x.box[0] > 0.4 && x.box[0] < 0.5)?.objectId);
    const parked = events.filter((e) => !mover.includes(e));

    const crossingUpdates = mover.filter((e) => e.type === 'update' && e.crossings);
    assert.equal(crossingUpdates.length, 1, 'one crossing, on one update');
    assert.deepEqual(crossingUpdates[0].crossings?.map((c) => [c.line, c.direction]), [['mid', 'ab']]);
    const speedUpdates = mover.filter((e) => e.type === 'update' && e.speedKmh !== undefined);
    assert.equal(speedUpdates.length, 1, 'the speed when it left the measured zone');
    // 0.6 of the height (30 m) in 6 s: 18 km/h.
    assert.ok(Math.abs((speedUpdates[0].speedKmh ?? 0) - 18) < 0.05 * 18, `speed ${speedUpdates[0].speedKmh}`);
    const end = mover.at(-1) as ObjectEvent;
    assert.equal(end.type, 'end');
    assert.equal(end.direction, 'down');
    assert.deepEqual(end.crossings?.map((c) => c.line), ['mid']);
    assert.equal(end.speedKmh, speedUpdates[0].speedKmh);
    assert.equal(end.loitering, undefined);

    const loiter = parked.filter((e) => e.loitering);
    assert.equal(loiter.length, 1, 'loitering once');
    assert.equal(loiter[0].type, 'update');
    assert.ok(loiter[0].ts - T0 >= 5000, 'after loiterSeconds');
    const parkedEnd = parked.at(-1) as ObjectEvent;
    assert.equal(parkedEnd.type, 'end');
    assert.equal(parkedEnd.direction, 'none', 'a parked car heads nowhere');
    assert.equal(parkedEnd.crossings, undefined);
    assert.equal(parkedEnd.speedKmh, undefined, 'no speed outside a measured zone, never a made-up one');
    assert.deepEqual(analytics.occupancy(), { stretch: {}, bay: {} }, 'ended tracks leave the zones');
  });

  it('hands out every whole interval, zeros included, and the crossing in its interval', () => {
    const { counts } = run();
    assert.deepEqual(counts.map((c) => c.from.slice(11, 19)), ['14:00:00', '14:00:05']);
    const total = (c: LineCountReport): number => c.counts.car.ab + c.counts.car.ba;
    assert.deepEqual(counts.map(total), [1, 0]);
  });
});
