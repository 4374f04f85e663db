import assert from 'node:assert/strict';
import { validateConfig } from '../../agent/config/validate.js';

const mqtt = { url: 'mqtt://127.0.0.1:1883' };
const source = { kind: 'test' };
/** The whole config around the analytics slice: THE schema validates it. */
const validateAnalyticsConfig = (slice: { cameras: object[]; analytics?: object }): ReturnType<typeof validateConfig> =>
  validateConfig({ mqtt, ...slice, cameras: slice.cameras.map((c) => ({ source, ...c })) });

const zone = { name: 'stretch', polygon: [[0.1, 0.5], [0.9, 0.5], [0.9, 0.9], [0.1, 0.9]] };
const good = {
  cameras: [
    {
      id: 'north',
      lines: [{ name: 'across', from: [0.22, 0.18], to: [0.94, 0.72], labels: ['car', 'truck'] }],
      zones: [{ ...zone, distances: [7, 30, 7, 30], loiterSeconds: 45 }, { name: 'kerb', polygon: [[0, 0], [0.2, 0], [0.1, 0.3]] }],
    },
  ],
  analytics: { countIntervalSeconds: 30 },
};

describe('analytics config (THE schema)', () => {
  it('accepts lines, measured zones and loitering, and fills in defaults', () => {
    const r = validateAnalyticsConfig(good);
    assert.ok(r.ok, JSON.stringify(!r.ok && r.problems));
    assert.equal(r.config.analytics.lineHysteresis, 0.01);
    const bare = validateAnalyticsConfig({ cameras: [{ id: 'c', zones: [] }] });
    assert.ok(bare.ok);
    assert.deepEqual(bare.config.cameras[0].lines, []);
    assert.equal(bare.config.analytics.countIntervalSeconds, 60);
  });

  it('names a line with equal ends by its JSON path', () => {
    const bad = structuredClone(good);
    bad.cameras[0].lines.push({ name: 'dot', from: [0.5, 0.5], to: [0.5, 0.5], labels: [] });
    const r = validateAnalyticsConfig(bad);
    assert.ok(!r.ok);
    assert.deepEqual(r.problems, [{ path: 'cameras[0].lines[1].to', reason: 'must differ from `from` (a line needs two distinct ends)' }]);
  });

  it('names distances of the wrong arity, a non-positive distance and distances on a zone without 4 corners', () => {
    const bad = structuredClone(good) as { cameras: { zones: Record<string, unknown>[] }[] };
    bad.cameras[0].zones[0].distances = [7, 30, 7];
    const r = validateAnalyticsConfig(bad);
    assert.ok(!r.ok);
    assert.deepEqual(r.problems, [{ path: 'cameras[0].zones[0].distances', reason: 'must NOT have fewer than 4 items' }]);

    bad.cameras[0].zones[0].distances = [7, 30, 7, 30, 1];
    const r2 = validateAnalyticsConfig(bad);
    assert.ok(!r2.ok);
    assert.deepEqual(r2.problems.map((p) => p.path), ['cameras[0].zones[0].distances']);

    bad.cameras[0].zones[0].distances = [7, 0, 7, 30];
    const r3 = validateAnalyticsConfig(bad);
    assert.ok(!r3.ok);
    assert.deepEqual(r3.problems.map((p) => p.path), ['cameras[0].zones[0].distances[1]']);

    bad.cameras[0].zones[0].distances = [7, 30, 7, 30];
    bad.cameras[0].zones[1].distances = [1, 1, 1, 1];
    const r4 = validateAnalyticsConfig(bad);
    assert.ok(!r4.ok);
    assert.deepEqual(r4.problems, [{ path: 'cameras[0].zones[1].polygon', reason: 'must have exactly 4 corners when distances are given (has 3)' }]);
  });

  it('lists every problem at once and nothing about the good parts', () => {
    const bad = {
      cameras: [
        { id: 'a', zones: [{ ...zone, loiterSeconds: 0 }], lines: [{ name: 'l', from: [0.1, 1.2], to: [0.5, 0.5] }, { name: 'l', from: [0, 0], to: [1, 1] }] },
        { id: 'b', zones: [], lines: [{ name: 'ok', from: [0, 0.5], to: [1, 0.5], colour: 'red' }] },
      ],
      analytics: { countIntervalSeconds: 0 },
    };
    const r = validateAnalyticsConfig(bad);
    assert.ok(!r.ok);
    assert.deepEqual(r.problems.map((p) => p.path).sort(), [
      'analytics.countIntervalSeconds',
      'cameras[0].lines[0].from[1]',
      'cameras[0].zones[0].loiterSeconds',
      'cameras[1].lines[0].colour',
    ]);
  });

  it('reports a duplicate line name once the schema passes', () => {
    const bad = structuredClone(good);
    bad.cameras[0].lines.push({ ...bad.cameras[0].lines[0], from: [0, 0] });
    const r = validateAnalyticsConfig(bad);
    assert.ok(!r.ok);
    assert.deepEqual(r.problems, [{ path: 'cameras[0].lines[1].name', reason: 'duplicate line name "across"' }]);
  });
});
