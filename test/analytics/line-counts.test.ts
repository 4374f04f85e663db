import assert from 'node:assert/strict';
import { LineCounter, type LineCountReport } from '../../agent/analytics/line-counts.js';
import type { Crossing } from '../../agent/analytics/line-crossing.js';

const T0 = Date.UTC(2026, 11, 5, 14, 0, 0);
const crossing = (ts: number, label: string, direction: 'ab' | 'ba', line = 'north'): Crossing => ({ line, trackId: `t${ts}`, label, direction, ts });

/** Feeds frames every `stepMs` from `from` to `to` (exclusive), collecting closed reports. */
function frames(counter: LineCounter, from: number, to: number, stepMs = 200, crossings: Crossing[] = []): LineCountReport[] {
  const out: LineCountReport[] = [];
  for (let ts = from; ts < to; ts += stepMs) {
    out.push(...counter.advance(ts));
    for (const c of crossings.filter((x) => x.ts === ts)) out.push(...counter.add(c));
  }
  return out;
}

describe('line interval counts', () => {
  const opts = { camera: 'cam1', lines: [{ name: 'north', labels: ['car', 'truck'] }, { name: 'south', labels: ['car'] }], intervalSeconds: 60 };

  it('sums crossings per line, label and direction into capture-clock intervals with the wire shape', () => {
    const counter = new LineCounter(opts);
    const cs = [crossing(T0 + 1000, 'car', 'ab'), crossing(T0 + 2000, 'car', 'ab'), crossing(T0 + 3000, 'car', 'ba'), crossing(T0 + 4000, 'bus', 'ba'), crossing(T0 + 5000, 'car', 'ba', 'south')];
    const out = frames(counter, T0, T0 + 60_200, 200, cs);
    assert.deepEqual(out, [
      { id: `cam1:north:${T0}`, camera: 'cam1', line: 'north', from: '2026-12-05T14:00:00.000Z', to: '2026-12-05T14:01:00.000Z', counts: { car: { ab: 2, ba: 1 }, truck: { ab: 0, ba: 0 }, bus: { ab: 0, ba: 1 } } },
      { id: `cam1:south:${T0}`, camera: 'cam1', line: 'south', from: '2026-12-05T14:00:00.000Z', to: '2026-12-05T14:01:00.000Z', counts: { car: { ab: 0, ba: 1 } } },
    ]);
  });

  it('reports zeros for watched intervals without a crossing, contiguous and in order', () => {
    const counter = new LineCounter({ ...opts, lines: [opts.lines[0]] });
    const out = frames(counter, T0, T0 + 3 * 60_000 + 1);
    assert.deepEqual(out.map((r) => r.from), ['2026-12-05T14:00:00.000Z', '2026-12-05T14:01:00.000Z', '2026-12-05T14:02:00.000Z']);
    for (const r of out) assert.deepEqual(r.counts, { car: { ab: 0, ba: 0 }, truck: { ab: 0, ba: 0 } });
    for (let i = 1; i < out.length; i++) assert.equal(out[i].from, out[i - 1].to, 'contiguous');
  });

  it('gives the same id to the same interval every time (dedupe after a resend or restart)', () => {
    const a = frames(new LineCounter(opts), T0, T0 + 60_001);
    const b = frames(new LineCounter(opts), T0, T0 + 60_001, 500);
    assert.deepEqual(a.map((r) => r.id), b.map((r) => r.id));
    assert.equal(new Set(a.map((r) => r.id)).size, 2, 'lines of one interval differ');
  });

  it('does not report the partial first interval after a start', () => {
    const counter = new LineCounter(opts);
    const out = frames(counter, T0 + 30_000, T0 + 120_001);
    assert.deepEqual([...new Set(out.map((r) => r.from))], ['2026-12-05T14:01:00.000Z']);
  });

  it('leaves an outage as a gap: no zeros made up for intervals the camera did not watch', () => {
    const counter = new LineCounter({ ...opts, lines: [opts.lines[0]] });
    const before = frames(counter, T0, T0 + 90_000);
    // Camera stalls from 90 s to 250 s, then runs to 400 s.
    const after = frames(counter, T0 + 250_000, T0 + 400_000);
    const froms = [...before, ...after].map((r) => (Date.parse(r.from) - T0) / 1000);
    // [0,60) watched; [60,120) lost its tail; [120,240) unseen; [240,300) lost its head; [300,360) watched.
    assert.deepEqual(froms, [0, 300]);
  });

  it('reports zeros for an interval that fell between two frames less than maxFrameGapMs apart (a slow detector), not a gap', () => {
    const counter = new LineCounter({ ...opts, lines: [opts.lines[0]], intervalSeconds: 2 });
    // Frames every 200 ms, then one detection takes 3.5 s (no frame in [4 s, 6 s)), then on.
    const out = [...frames(counter, T0, T0 + 3_800), ...frames(counter, T0 + 7_300, T0 + 10_301, 200, [crossing(T0 + 7_300, 'car', 'ab')])];
    assert.deepEqual(out.map((r) => (Date.parse(r.from) - T0) / 1000), [0, 2, 4, 6, 8]);
    assert.deepEqual(out.map((r) => r.counts.car.ab), [0, 0, 0, 1, 0]);
  });

  it('drops an interval with a frame gap inside it', () => {
    const counter = new LineCounter({ ...opts, maxFrameGapMs: 5000 });
    const out = [...frames(counter, T0, T0 + 20_000), ...frames(counter, T0 + 40_000, T0 + 120_001)];
    assert.deepEqual([...new Set(out.map((r) => r.from))], ['2026-12-05T14:01:00.000Z']);
  });

  it('ignores a frame from the past and rejects a zero interval', () => {
    const counter = new LineCounter(opts);
    frames(counter, T0, T0 + 30_000);
    assert.deepEqual(counter.advance(T0 - 60_000), []);
    assert.throws(() => new LineCounter({ ...opts, intervalSeconds: 0 }), /intervalSeconds/);
  });
});
