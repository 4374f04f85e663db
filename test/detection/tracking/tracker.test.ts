import assert from 'node:assert/strict';
import type { ObjectEvent } from '../../../agent/core/object-event.js';
import { boxAt, configWith, px, TEST_FRAME, trackerFor } from './helpers.js';

const T0 = 1_700_000_000_000;
const FRAME_MS = 200; // 5 fps

describe('ObjectTracker', () => {
  it('reports an object only once it has minHits sightings', () => {
    const tracker = trackerFor(configWith({}, { tracking: { minHits: 3 } }));
    const events: ObjectEvent[] = [];
    for (let i = 0; i < 3; i++) {
      const step = tracker.update([{ label: 'car', score: 0.8, box: boxAt(0.1 + i * 0.01, 0.5) }], T0 + i * FRAME_MS);
      events.push(...step.events);
      if (i < 2) assert.equal(step.events.length, 0, `no event after ${i + 1} hit(s)`);
    }
    assert.equal(events.length, 1);
    assert.equal(events[0].type, 'start');
    assert.equal(events[0].label, 'car');
    assert.equal(events[0].startTs, T0, 'startTs is when the object was first seen');
    assert.equal(events[0].ts, T0 + 2 * FRAME_MS);
  });

  it('seen(ts) gives every track matched at ts, reported or not, with its detected box; visible() only the reported', () => {
    const tracker = trackerFor(configWith({}, { tracking: { minHits: 2 } }));
    const box0 = boxAt(0.1, 0.5);
    tracker.update([{ label: 'car', score: 0.8, box: box0 }], T0);
    assert.deepEqual(tracker.seen(T0), [{ objectId: tracker.seen(T0)[0].objectId, label: 'car', box: box0, reported: false }]);
    assert.deepEqual(tracker.visible(T0), [], 'not reported yet');
    const box1 = boxAt(0.12, 0.5);
    tracker.update([{ label: 'car', score: 0.8, box: box1 }], T0 + FRAME_MS);
    const seen = tracker.seen(T0 + FRAME_MS);
    assert.equal(seen.length, 1);
    assert.equal(seen[0].reported, true);
    assert.deepEqual(seen[0].box, box1, 'the detected box, in pixels');
    tracker.update([], T0 + 2 * FRAME_MS);
    assert.deepEqual(tracker.seen(T0 + 2 * FRAME_MS), [], 'a track not matched this frame is not seen');
  });

  it('keeps one id for a fast object across a missed frame, by predicting where it went', () => {
    const tracker = trackerFor(configWith({}, { tracking: { minHits: 2, iouThreshold: 0.3, updateIntervalSeconds: 0.5 } }));
    const events: ObjectEvent[] = [];
    // 0.1 of the frame per frame with a 0.06-wide box: consecutive boxes never overlap. Frame 5 is
    // missed (occluded), so frame 6 lands 0.2 from the last sighting — too far for the centroid
    // fallback; only the constant-velocity prediction can still match it.
    for (let i = 0; i < 9; i++) {
      const dets = i === 5 ? [] : [{ label: 'car', score: 0.9, box: boxAt(0.02 + i * 0.1, 0.4, 0.06, 0.2) }];
      events.push(...tracker.update(dets, T0 + i * FRAME_MS).events);
    }
    const ids = new Set(events.map((e) => e.objectId));
    assert.equal(ids.size, 1, `one object, got ${[...ids].join(', ')}`);
    assert.equal(tracker.size, 1);
    assert.ok(events.some((e) => e.type === 'update'), 'a box moving across the frame produces updates');
  });

  it('keeps two crossing-free neighbours apart', () => {
    const tracker = trackerFor(configWith({}, { tracking: { minHits: 1 } }));
    const starts: ObjectEvent[] = [];
    for (let i = 0; i < 5; i++) {
      const step = tracker.update(
        [
          { label: 'person', score: 0.9, box: boxAt(0.1 + i * 0.01, 0.3, 0.05, 0.2) },
          { label: 'person', score: 0.9, box: boxAt(0.6 - i * 0.01, 0.3, 0.05, 0.2) },
        ],
        T0 + i * FRAME_MS,
      );
      starts.push(...step.events.filter((e) => e.type === 'start'));
    }
    assert.equal(starts.length, 2);
    assert.notEqual(starts[0].objectId, starts[1].objectId);
    assert.equal(tracker.size, 2);
  });

  it('ends an object unseen for maxDisappearedSeconds, with endTs its last sighting', () => {
    const tracker = trackerFor(configWith({}, { tracking: { minHits: 2, maxDisappearedSeconds: 1 } }));
    tracker.update([{ label: 'car', score: 0.9, box: boxAt(0.2, 0.2) }], T0);
    const started = tracker.update([{ label: 'car', score: 0.9, box: boxAt(0.2, 0.2) }], T0 + 200).events;
    assert.equal(started[0]?.type, 'start');
    assert.deepEqual(tracker.update([], T0 + 1100).events, [], 'still within the timeout');
    const ended = tracker.update([], T0 + 1300).events;
    assert.equal(ended.length, 1);
    assert.equal(ended[0].type, 'end');
    assert.equal(ended[0].objectId, started[0].objectId);
    assert.equal(ended[0].endTs, T0 + 200);
    assert.equal(ended[0].ts, T0 + 1300);
    assert.equal(tracker.size, 0);
  });

  it('expire() ends objects without a new frame; endAll() ends every reported one', () => {
    const tracker = trackerFor(configWith({}, { tracking: { minHits: 1, maxDisappearedSeconds: 2 } }));
    tracker.update([{ label: 'car', score: 0.9, box: boxAt(0.1, 0.1) }, { label: 'bus', score: 0.9, box: boxAt(0.6, 0.6) }], T0);
    tracker.update([{ label: 'bus', score: 0.9, box: boxAt(0.6, 0.6) }], T0 + 1500);
    const expired = tracker.expire(T0 + 2500);
    assert.deepEqual(expired.events.map((e) => [e.type, e.label]), [['end', 'car']]);
    const all = tracker.endAll(T0 + 2600);
    assert.deepEqual(all.events.map((e) => [e.type, e.label, e.endTs]), [['end', 'bus', T0 + 1500]]);
    assert.equal(tracker.size, 0);
  });

  it('never reports a track whose median score stays below the label threshold, even with one high score', () => {
    const config = configWith({}, { minScore: 0.2, threshold: 0.6, tracking: { minHits: 2 } });
    const tracker = trackerFor(config);
    const scores = [0.3, 0.35, 0.95, 0.4, 0.3, 0.35];
    const events = scores.flatMap((s, i) => tracker.update([{ label: 'person', score: s, box: boxAt(0.3, 0.3) }], T0 + i * FRAME_MS).events);
    assert.deepEqual(events, []);
    assert.equal(tracker.size, 1, 'it is still tracked, just not reported');

    const good = trackerFor(config);
    const ok = [0.3, 0.7, 0.8, 0.75].flatMap((s, i) => good.update([{ label: 'person', score: s, box: boxAt(0.3, 0.3) }], T0 + i * FRAME_MS).events);
    assert.deepEqual(ok.map((e) => e.type), ['start']);
    assert.equal(ok[0].ts, T0 + 2 * FRAME_MS, 'median of [0.3, 0.7, 0.8] = 0.7 reaches 0.6 at the third frame');
    assert.equal(ok[0].topScore, 0.8);
  });

  it('uses per-label thresholds, camera filters over detection filters', () => {
    const config = configWith(
      { objects: { filters: { car: { threshold: 0.9 } } } },
      { threshold: 0.5, filters: { car: { threshold: 0.2, minScore: 0.1 } }, tracking: { minHits: 1 } },
    );
    const tracker = trackerFor(config);
    const ev = tracker.update(
      [
        { label: 'car', score: 0.8, box: boxAt(0.1, 0.1) },
        { label: 'person', score: 0.8, box: boxAt(0.6, 0.1) },
      ],
      T0,
    ).events;
    assert.deepEqual(ev.map((e) => e.label), ['person'], 'car needs 0.9 on this camera');
  });

  it('drops detections below minScore, outside the area bounds, or of labels not tracked', () => {
    const config = configWith(
      { objects: { track: ['person', 'car'], filters: { person: { minArea: 0.01, maxArea: 0.2 } } } },
      { minScore: 0.5, tracking: { minHits: 1 } },
    );
    const tracker = trackerFor(config);
    const ev = tracker.update(
      [
        { label: 'person', score: 0.9, box: boxAt(0.0, 0.0, 0.05, 0.1) }, // area 0.005: too small
        { label: 'person', score: 0.9, box: boxAt(0.3, 0.0, 0.6, 0.6) }, // area 0.36: too large
        { label: 'person', score: 0.9, box: boxAt(0.0, 0.5, 0.1, 0.2) }, // area 0.02: kept
        { label: 'car', score: 0.4, box: boxAt(0.5, 0.7) }, // below minScore
        { label: 'dog', score: 0.99, box: boxAt(0.8, 0.7) }, // not tracked
        { label: 'bus', score: 0.99, box: boxAt(0.8, 0.1) }, // tracked by default, but not on this camera
      ],
      T0,
    ).events;
    assert.deepEqual(ev.map((e) => [e.label, e.box]), [['person', [0, 0.5, 0.1, 0.7]]]);
    assert.equal(tracker.size, 1);
  });

  it('ignores objects whose box bottom-centre is in an object mask', () => {
    // Mask: the left half of the frame's bottom third (say, a parking lot).
    const mask = [[0, 0.66], [0.5, 0.66], [0.5, 1], [0, 1]];
    const tracker = trackerFor(configWith({ objectMasks: [mask] }, { tracking: { minHits: 1 } }));
    const ev = tracker.update(
      [
        { label: 'car', score: 0.9, box: px(0.1, 0.5, 0.3, 0.8) }, // bottom-centre (0.2, 0.8): masked
        { label: 'car', score: 0.9, box: px(0.1, 0.2, 0.3, 0.6) }, // (0.2, 0.6): above the mask, kept although the box is half masked? no overlap
        { label: 'car', score: 0.9, box: px(0.2, 0.5, 0.6, 0.9) }, // (0.4, 0.9): masked although the box extends outside
        { label: 'car', score: 0.9, box: px(0.45, 0.7, 0.75, 0.95) }, // (0.6, 0.95): outside, kept although the box overlaps the mask
      ],
      T0,
    ).events;
    assert.deepEqual(ev.map((e) => e.box), [[0.1, 0.2, 0.3, 0.6], [0.45, 0.7, 0.75, 0.95]]);
  });

  it('lists the zones an object entered, in order, and sends an update on each new zone', () => {
    const zones = [
      { name: 'sidewalk', polygon: [[0, 0], [0.4, 0], [0.4, 1], [0, 1]] },
      { name: 'road', polygon: [[0.4, 0], [1, 0], [1, 1], [0.4, 1]] },
      { name: 'bus_lane', polygon: [[0.8, 0], [1, 0], [1, 1], [0.8, 1]], labels: ['bus'] },
    ];
    const tracker = trackerFor(configWith({ zones }, { tracking: { minHits: 2, updateIntervalSeconds: 60 } }));
    const events: ObjectEvent[] = [];
    // A person walks from x=0.1 to x=0.9 (ground point), 0.1 per frame.
    for (let i = 0; i <= 8; i++) {
      const cx = 0.1 + i * 0.1;
      events.push(...tracker.update([{ label: 'person', score: 0.9, box: px(cx - 0.03, 0.3, cx + 0.03, 0.5) }], T0 + i * FRAME_MS).events);
    }
    events.push(...tracker.endAll(T0 + 5000).events);
    assert.deepEqual(events.map((e) => [e.type, e.zones]), [
      ['start', ['sidewalk']],
      ['update', ['sidewalk', 'road']],
      ['end', ['sidewalk', 'road']],
    ]);
    assert.ok(events[1].box[0] > 0.35, 'the update carries the box that entered the road');
  });

  it('rate-limits updates for moving objects but sends label changes at once', () => {
    const tracker = trackerFor(configWith({}, { tracking: { minHits: 1, updateIntervalSeconds: 1, scoreHistory: 3 } }));
    const events: ObjectEvent[] = [];
    // Moves 0.05/frame (a 0.1 box loses half its overlap every ~2 frames) for 3 s at 5 fps.
    for (let i = 0; i < 15; i++) events.push(...tracker.update([{ label: 'car', score: 0.6, box: boxAt(0.05 * i, 0.4) }], T0 + i * FRAME_MS).events);
    const updates = events.filter((e) => e.type === 'update');
    assert.ok(updates.length >= 2 && updates.length <= 3, `about one update a second, got ${updates.length}`);
    for (let i = 1; i < updates.length; i++) assert.ok(updates[i].ts - updates[i - 1].ts >= 1000);

    // The detector now calls it a truck with higher scores: the vote flips and an update goes at once.
    const flip: ObjectEvent[] = [];
    for (let i = 15; i < 18; i++) flip.push(...tracker.update([{ label: 'truck', score: 0.9, box: boxAt(0.05 * 14, 0.4) }], T0 + i * FRAME_MS).events);
    const toTruck = flip.find((e) => e.label === 'truck');
    assert.equal(toTruck?.type, 'update');
    assert.equal(toTruck?.ts, T0 + 16 * FRAME_MS, 'the vote over the last 3 scores flips at the second truck sighting');
    const before = [...events, ...flip].filter((e) => e.ts < (toTruck?.ts ?? 0)).at(-1);
    assert.ok(before && toTruck && toTruck.ts - before.ts < 1000, 'a label change is not held back by the rate limit');
  });

  it('every event carries the documented fields, boxes in 0..1, and one objectId per track', () => {
    const tracker = trackerFor(configWith({}, { tracking: { minHits: 2, maxDisappearedSeconds: 0.5 } }));
    const events: ObjectEvent[] = [];
    for (let i = 0; i < 4; i++) events.push(...tracker.update([{ label: 'bicycle', score: 0.7 + i * 0.05, box: px(0.9 + i * 0.02, 0.1, 1.05, 0.3) }], T0 + i * FRAME_MS).events);
    events.push(...tracker.update([], T0 + 2000).events);
    assert.deepEqual(events.map((e) => e.type).filter((t) => t !== 'update'), ['start', 'end']);
    for (const e of events) {
      assert.equal(e.camera, 'cam1');
      assert.match(e.objectId, /^cam1-[0-9a-z]+-[0-9a-z]+$/);
      assert.equal(e.objectId, events[0].objectId);
      assert.equal(e.startTs, T0);
      assert.ok(e.ts >= e.startTs);
      assert.ok(e.box.every((v) => v >= 0 && v <= 1), `box clamped: ${e.box}`);
      assert.ok(e.box[0] < e.box[2] && e.box[1] < e.box[3]);
      assert.ok(e.score > 0 && e.topScore >= e.score - 1e-9);
      assert.ok(Array.isArray(e.zones));
      assert.equal(e.endTs !== undefined, e.type === 'end');
    }
    assert.equal(events.at(-1)?.topScore, 0.85);
  });

  it('re-checks a stationary object only every few seconds, and keeps it while it is not looked at', () => {
    const tracker = trackerFor(configWith({}, { tracking: { minHits: 2, maxDisappearedSeconds: 3 } }));
    const parked = (ts: number, dx = 0) => tracker.update([{ label: 'car', score: 0.8, box: boxAt(0.4 + dx, 0.4) }], ts);
    // Seen every frame for 10 s with a little detector jitter: it becomes stationary.
    for (let t = 0; t <= 10_000; t += FRAME_MS) parked(T0 + t, ((t / FRAME_MS) % 3) * 0.002);
    assert.equal(tracker.activeBoxes(T0 + 10_200).length, 0, 'not sent to the detector every frame any more');
    assert.equal(tracker.activeBoxes(T0 + 14_800).length, 0);
    const due = tracker.activeBoxes(T0 + 15_000);
    assert.equal(due.length, 1, 're-checked after 5 s');
    assert.ok(Math.abs(due[0][0] / TEST_FRAME.width - 0.4) < 0.01, `no drift from a jittery velocity: ${due[0]}`);
    // Unseen for 6 s (> maxDisappearedSeconds) is expected for a stationary object: no end yet.
    assert.deepEqual(tracker.update([], T0 + 16_000).events, []);
    parked(T0 + 16_000);
    assert.equal(tracker.activeBoxes(T0 + 16_200).length, 0, 'seen at the re-check: quiet again');
    // It drives off: moving again, it is detected every frame.
    parked(T0 + 16_200, 0.1);
    assert.equal(tracker.activeBoxes(T0 + 16_400).length, 1);
    // A stationary object that really vanished ends after the re-check interval plus the timeout.
    const other = trackerFor(configWith({}, { tracking: { minHits: 1, maxDisappearedSeconds: 3 } }));
    for (let t = 0; t <= 10_000; t += FRAME_MS) other.update([{ label: 'bus', score: 0.9, box: boxAt(0.1, 0.1) }], T0 + t);
    assert.deepEqual(other.update([], T0 + 17_900).events, []);
    assert.deepEqual(other.update([], T0 + 18_100).events.map((e) => [e.type, e.endTs]), [['end', T0 + 10_000]]);
  });

  it('treats one object detected under two labels (NMS is per label) as one track, voting on the label', () => {
    const tracker = trackerFor(configWith({}, { tracking: { minHits: 2, scoreHistory: 5 } }));
    const events: ObjectEvent[] = [];
    for (let i = 0; i < 4; i++) {
      const x = 0.2 + i * 0.02;
      events.push(...tracker.update([
        { label: 'car', score: 0.5, box: px(x, 0.4, x + 0.2, 0.6) },
        { label: 'truck', score: 0.7, box: px(x + 0.005, 0.4, x + 0.2, 0.61) },
      ], T0 + i * FRAME_MS).events);
    }
    assert.equal(tracker.size, 1);
    assert.deepEqual(events.map((e) => [e.type, e.label]), [['start', 'truck']]);
  });
});
