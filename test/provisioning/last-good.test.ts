import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import pino from 'pino';
import { validateConfig } from '../../agent/config/validate.js';
import { LastGoodConfigStore } from '../../agent/provisioning/last-good-store.js';
import { startupCandidates } from '../../agent/runtime/startup-config.js';
import { tempDir } from '../support/tmp.js';

const silent = pino({ level: 'silent' });

function config(dataDir: string, camera: string): ReturnType<typeof validConfig> {
  return validConfig({ gateway: { id: 'gw-lg', dataDir }, mqtt: { url: 'mqtt://127.0.0.1:1' }, cameras: [{ id: camera, source: { kind: 'test', pattern: 'ball' } }] });
}
function validConfig(raw: unknown): Extract<ReturnType<typeof validateConfig>, { ok: true }>['config'] {
  const v = validateConfig(raw);
  if (!v.ok) throw new Error(JSON.stringify(v.problems));
  return v.config;
}

describe('last-good and the start-up order', () => {
  const tmp = tempDir('last-good-');
  after(() => tmp.cleanup());

  it('keeps the last-good it replaces as the previous one', () => {
    const dataDir = path.join(tmp.dir, 'rotate');
    const store = new LastGoodConfigStore(dataDir);
    store.save(1, config(dataDir, 'one'));
    assert.equal(store.loadPrevious(), undefined);
    store.save(2, config(dataDir, 'two'));
    assert.equal(store.load()?.version, 2);
    assert.equal(store.loadPrevious()?.version, 1);
    assert.equal(store.loadPrevious()?.config.cameras[0].id, 'one');
  });

  it('orders last-good, previous, file, bootstrap; one that does not load is passed over with its code', () => {
    const dataDir = path.join(tmp.dir, 'order');
    const store = new LastGoodConfigStore(dataDir);
    store.save(1, config(dataDir, 'one'));
    store.save(2, config(dataDir, 'two'));
    const file = path.join(tmp.dir, 'order.json');
    writeFileSync(file, JSON.stringify(config(dataDir, 'file')));
    const all = startupCandidates({ config: file }, silent);
    assert.deepEqual(all.candidates.map((c) => `${c.source} v${c.version} ${c.config.cameras[0].id}`), ['last-good v2 two', 'previous v1 one', 'file v0 file']);
    assert.deepEqual(all.skipped, []);

    writeFileSync(store.file, '{"version": 3, "config": {"gateway": ');
    const torn = startupCandidates({ config: file }, silent);
    assert.deepEqual(torn.candidates.map((c) => c.source), ['previous', 'file']);
    assert.deepEqual(torn.skipped.map((s) => `${s.source}: ${s.code}`), ['last-good: LAST_GOOD_CORRUPT']);
  });

  it('finds the last-good through a config file that no longer passes THE schema', () => {
    const dataDir = path.join(tmp.dir, 'broken-file');
    new LastGoodConfigStore(dataDir).save(5, config(dataDir, 'kept'));
    const file = path.join(tmp.dir, 'broken-file.json');
    writeFileSync(file, JSON.stringify({ gateway: { id: 'gw-lg', dataDir }, mqtt: { url: 'not a url' }, cameras: [] }));
    const { candidates, skipped } = startupCandidates({ config: file }, silent);
    assert.deepEqual(candidates.map((c) => `${c.source} v${c.version}`), ['last-good v5']);
    assert.deepEqual(skipped.map((s) => `${s.source}: ${s.code}`), ['file: CONFIG_INVALID']);
  });
});
