import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Level } from 'level';
import { dataKey, encodeEntry, indexKey, type IndexRecord } from '../../agent/outbox/entry.js';
import { validateConfig } from '../../agent/config/validate.js';
import { runDiagnostics } from '../../agent/diagnostics/run-diagnostics.js';
import { tempDir, VIDEOS_DIR } from '../support/tmp.js';
import { check, CLIP, diagInProcess, runDiag, writeConfig } from './helpers.js';

describe('edge-agent diag storage checks', () => {
  const tmp = tempDir('diag-storage-');
  const dataDir = path.join(tmp.dir, 'data');
  const outboxDir = path.join(dataDir, 'outbox');
  let db: Level<string, Buffer>;

  before(async () => {
    mkdirSync(dataDir, { recursive: true });
    db = new Level<string, Buffer>(outboxDir, { valueEncoding: 'buffer' });
    await db.open();
    // Three queued items in the outbox's own key layout; the oldest waited two hours.
    const now = Date.now();
    const items: Array<[0 | 1 | 2, number, IndexRecord]> = [
      [0, 1, { b: 300, t: now - 2 * 3600_000, g: 1, k: 'event' }],
      [0, 2, { b: 300, t: now - 60_000, g: 2, k: 'health' }],
      [1, 3, { b: 5000, t: now - 30_000, g: 3, k: 'snapshot' }],
    ];
    for (const [cls, n, rec] of items) {
      await db.put(dataKey(cls, n), encodeEntry({ topic: 'events', kind: rec.k, json: true }, Buffer.from('{}')));
      await db.put(indexKey(cls, n), Buffer.from(JSON.stringify(rec)));
    }
  });
  after(async () => {
    await db.close();
    tmp.cleanup();
  });

  it('does not fight the running agent for the LevelDB lock: reports it held and reads the backlog from a copy', () => {
    // 10 s of recordings measured at ~1 MB/s make the default 24 h retention need ~86 GB.
    const recDir = path.join(dataDir, 'recordings', 'street');
    mkdirSync(recDir, { recursive: true });
    const t0 = Date.now() - 60_000;
    writeFileSync(path.join(recDir, `${t0}_${t0 + 10_000}.ts`), Buffer.alloc(10_000_000));
    const cfg = writeConfig(tmp.dir, {
      gateway: { id: 'gw-store', dataDir },
      mqtt: { url: 'mqtt://127.0.0.1:1' },
      cameras: [{ id: 'street', source: { kind: 'file', path: path.join(VIDEOS_DIR, CLIP) } }],
      recording: { retentionHours: 100000, maxBytes: 1e15 },
    });
    const r = runDiag(cfg, ['--only', 'storage', '--json']);
    assert.ok(r.report, r.stderr);
    const lock = check(r.report, 'storage.leveldb');
    assert.equal(lock.status, 'pass');
    assert.match(lock.detail ?? '', /held by the running agent/);
    const backlog = check(r.report, 'storage.outbox');
    assert.equal(backlog.value, 3);
    assert.equal(backlog.status, 'warn', 'an item waiting two hours is worth a look');
    assert.match(backlog.detail ?? '', /oldest 7\d{3} s old/);
    const retention = check(r.report, 'storage.retention');
    assert.equal(retention.status, 'fail');
    assert.match(retention.detail ?? '', /street 8\.00 Mbit\/s measured/);
    assert.match(retention.remedy ?? '', /lower recording\.retentionHours to about [\d.]+ h/);
    assert.equal(r.status, 2);
  });

  it('opens the database itself when no agent holds it', async () => {
    await db.close();
    try {
      const { report } = await diagInProcess({ gateway: { id: 'gw-store', dataDir }, mqtt: { url: 'mqtt://127.0.0.1:1' }, cameras: [] }, ['storage']);
      assert.equal(check(report, 'storage.leveldb').status, 'pass');
      assert.match(check(report, 'storage.leveldb').detail ?? '', /opens$/);
      assert.equal(check(report, 'storage.outbox').value, 3);
      assert.equal(check(report, 'storage.retention').status, 'skip', 'no camera records');
    } finally {
      await db.open();
    }
  });

  it('inside the running agent, answers from its live outbox figures without touching the LevelDB', async () => {
    const v = validateConfig({ gateway: { id: 'gw-store', dataDir }, mqtt: { url: 'mqtt://127.0.0.1:1' }, cameras: [] });
    assert.ok(v.ok);
    const stats = { pending: 42, bytes: 1_900_000_000, oldestAgeS: 10, evicted: { clip: 0, snapshot: 0, event: 0, health: 0, response: 0 } };
    const report = await runDiagnostics(v.config, { only: ['storage'], outboxStats: () => stats });
    assert.match(check(report, 'storage.leveldb').detail ?? '', /open in this agent/);
    const backlog = check(report, 'storage.outbox');
    assert.equal(backlog.value, 42);
    assert.equal(backlog.status, 'warn', '1.9 GB of the 2 GiB default quota');
  });
});
