import assert from 'node:assert/strict';
import { migrateConfig, type KeyRename } from '../../agent/config/migrate.js';
import { validateConfig } from '../../agent/config/validate.js';

/** Renames as an upgrade would bring them (the shipped table may be empty: these exercise the step). */
const RENAMES: KeyRename[] = [
  { from: 'health.interval', to: 'health.intervalSeconds', since: '0.2.0' },
  { from: 'cameras[].source.user', to: 'cameras[].source.username', since: '0.2.0' },
  { from: 'cameras[].stallSeconds', to: 'cameras[].stallTimeout', since: '0.2.0' },
  { from: 'cameras[].stallTimeout', to: 'cameras[].stallTimeoutSeconds', since: '0.3.0' },
];

const oldConfig = (): Record<string, unknown> => ({
  gateway: { id: 'gw-old', dataDir: '/tmp/gw-old' },
  mqtt: { url: 'mqtt://127.0.0.1:1883' },
  health: { interval: 7 },
  cameras: [
    { id: 'a', source: { kind: 'rtsp', url: 'rtsp://10.0.0.2/s', user: 'admin', password: 'x' }, stallSeconds: 9 },
    { id: 'b', source: { kind: 'test', pattern: 'ball' } },
  ],
});

describe('config migration (renamed keys, before validation)', () => {
  it('moves old keys to their new names, in arrays too, along a chain of renames, and says what moved', () => {
    const raw = oldConfig();
    const renamed = migrateConfig(raw, RENAMES);
    assert.deepEqual(renamed.map((r) => `${r.from} -> ${r.to}`), [
      'health.interval -> health.intervalSeconds',
      'cameras[0].source.user -> cameras[0].source.username',
      'cameras[0].stallSeconds -> cameras[0].stallTimeout',
      'cameras[0].stallTimeout -> cameras[0].stallTimeoutSeconds',
    ]);
    const cams = raw.cameras as Array<Record<string, unknown>>;
    assert.equal((raw.health as Record<string, unknown>).intervalSeconds, 7);
    assert.equal((cams[0].source as Record<string, unknown>).username, 'admin');
    assert.equal(cams[0].stallTimeoutSeconds, 9);
    assert.ok(!('user' in (cams[0].source as object)) && !('stallSeconds' in cams[0]) && !('stallTimeout' in cams[0]));
  });

  it('lets a config of the old version pass THE schema, which rejects it without the step', () => {
    const without = validateConfig(oldConfig(), []);
    assert.equal(without.ok, false);
    assert.ok(!without.ok && without.problems.some((p) => p.path === 'health.interval' && p.reason === 'unknown key'));
    const input = oldConfig();
    const result = validateConfig(input, RENAMES);
    assert.ok(result.ok, JSON.stringify(!result.ok && result.problems));
    assert.equal(result.config.health.intervalSeconds, 7);
    assert.equal(result.config.cameras[0].stallTimeoutSeconds, 9);
    assert.equal(result.renamed.length, 4);
    assert.equal((input.health as Record<string, unknown>).interval, 7, 'the input is not mutated');
  });

  it('leaves both keys for the schema to reject when the old and the new name are both set', () => {
    const raw = { ...oldConfig(), health: { interval: 7, intervalSeconds: 30 } };
    assert.deepEqual(migrateConfig(raw, RENAMES.slice(0, 1)), []);
    const result = validateConfig(raw, RENAMES);
    assert.ok(!result.ok && result.problems.some((p) => p.path === 'health.interval'));
  });

  it('refuses a row that would move a key to another object', () => {
    assert.throws(() => migrateConfig({}, [{ from: 'health.interval', to: 'mqtt.interval', since: '0.2.0' }]), /changes the parent object/);
  });
});
