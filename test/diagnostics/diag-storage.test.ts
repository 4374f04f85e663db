import assert from 'node:assert/strict';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { createLogger } from '../../agent/core/logger.js';
import { Outbox } from '../../agent/outbox/outbox.js';
import { validateConfig } from '../../agent/config/validate.js';
import { runDiagnostics } from '../../agent/diagnostics/run-diagnostics.js';
import { outboxSnapshotFile, writeOutboxSnapshot } from '../../agent/diagnostics/outbox-snapshot.js';
import { tempDir, VIDEOS_DIR } from '../support/tmp.js';
import { check, CLIP, diagInProcess, runDiag, writeConfig } from './helpers.js';
import { objectEvent } from '../support/object-event.js';

describe('edge-agent diag storage checks', () => {
  const tmp = tempDir('diag-storage-');
  const dataDir = path.join(tmp.dir, 'data');
  const outboxDir = path.join(dataDir, 'outbox');
  const outboxConfig = { quotaBytes: 2147483648, sync: 'always' as const, syncIntervalMs: 1000, inflight: 32, bandwidthBytesPerSecond: 0 };
  const openOutbox = (): Promise<Outbox> => Outbox.open({ dir: outboxDir, config: outboxConfig, chunkBytes: 65536, sign: () => 'unsigned', logger: createLogger('error', 'test') });
  let outbox: Outbox;

  before(async () => {
    mkdirSync(dataDir, { recursive: true });
    // A real outbox with three queued messages and no uplink: it holds the LevelDB lock like the agent.
    outbox = await openOutbox();
    await outbox.enqueueEvent(objectEvent({ type: 'start' }));
    await outbox.enqueueEvent(objectEvent({ type: 'end' }));
    await outbox.enqueueJson('health', 'health', { ok: true });
  });
  after(async () => {
    await outbox.close();
    tmp.cleanup();
  });

  // os.tmpdir() of the diag process points nowhere: a copy of the outbox (or any temp file) would fail the check.
  const NO_TMP = { TMPDIR: path.join(tmp.dir, 'no-such-tmp') };

  it('does not fight the running agent for the LevelDB lock: reports it held and reads the backlog from the agent\'s figures, copying nothing', () => {
    writeOutboxSnapshot(dataDir, outbox.stats(), Date.now() - 5000);
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
    const r = runDiag(cfg, ['--only', 'storage', '--json'], NO_TMP);
    assert.ok(r.report, r.stderr);
    const lock = check(r.report, 'storage.leveldb');
    assert.equal(lock.status, 'pass');
    assert.match(lock.detail ?? '', /held by the running agent/);
    const backlog = check(r.report, 'storage.outbox');
    assert.equal(backlog.value, 3);
    assert.equal(backlog.status, 'pass');
    assert.match(backlog.detail ?? '', /^3 item\(s\), [\d.]+ MB \(0% of outbox\.quotaBytes\), oldest \d+ s old \(the running agent's figures of \d+ s ago\)$/);
    const figuresAgeS = Number(/figures of (\d+) s ago/.exec(backlog.detail ?? '')?.[1]);
    assert.ok(figuresAgeS >= 5, `the age of the figures counts from when the agent took them (${figuresAgeS} s)`);
    const retention = check(r.report, 'storage.retention');
    assert.equal(retention.status, 'fail');
    assert.match(retention.detail ?? '', /street 8\.00 Mbit\/s measured/);
    assert.match(retention.remedy ?? '', /lower recording\.retentionHours to about [\d.]+ h/);
    assert.equal(r.status, 2);
  });

  it('opens the database itself when no agent holds it', async () => {
    await outbox.close();
    try {
      const { report } = await diagInProcess({ gateway: { id: 'gw-store', dataDir }, mqtt: { url: 'mqtt://127.0.0.1:1' }, cameras: [] }, ['storage']);
      assert.equal(check(report, 'storage.leveldb').status, 'pass');
      assert.match(check(report, 'storage.leveldb').detail ?? '', /opens$/);
      assert.equal(check(report, 'storage.outbox').value, 3);
      assert.equal(check(report, 'storage.retention').status, 'skip', 'no camera records');
    } finally {
      outbox = await openOutbox();
    }
  });

  it('inside the running agent, answers from its live outbox figures without touching the LevelDB', async () => {
    const v = validateConfig({ gateway: { id: 'gw-store', dataDir }, mqtt: { url: 'mqtt://127.0.0.1:1' }, cameras: [] });
    assert.ok(v.ok);
    const stats = { pending: 42, bytes: 1_900_000_000, oldestAgeS: 10, evicted: { clip: 0, snapshot: 0, event: 0, health: 0, response: 0 }, writeFailures: 0, writable: true };
    const report = await runDiagnostics(v.config, { only: ['storage'], outboxStats: () => stats });
    assert.match(check(report, 'storage.leveldb').detail ?? '', /open in this agent/);
    const backlog = check(report, 'storage.outbox');
    assert.equal(backlog.value, 42);
    assert.equal(backlog.status, 'warn', '1.9 GB of the 2 GiB default quota');
  });
  it('stays cheap with a large outbox held by the agent: no copy, only its figures and file sizes', async () => {
    // 40 MB queued: the check used to copy up to 256 MB of it to /tmp at every Docker HEALTHCHECK.
    const pad = 'x'.repeat(1_000_000);
    for (let i = 0; i < 40; i++) await outbox.enqueueJson('health', 'health', { i, pad });
    const stats = outbox.stats();
    assert.ok(stats.bytes >= 40_000_000, `${stats.bytes} bytes queued`);
    writeOutboxSnapshot(dataDir, stats);
    const cfg = writeConfig(tmp.dir, { gateway: { id: 'gw-store', dataDir }, mqtt: { url: 'mqtt://127.0.0.1:1' }, cameras: [] }, 'large.json');
    const r = runDiag(cfg, ['--only', 'storage', '--json'], NO_TMP);
    assert.ok(r.report, r.stderr);
    assert.equal(check(r.report, 'storage.leveldb').status, 'pass', JSON.stringify(check(r.report, 'storage.leveldb')));
    assert.match(check(r.report, 'storage.leveldb').detail ?? '', /held by the running agent/);
    const backlog = check(r.report, 'storage.outbox');
    assert.equal(backlog.value, stats.pending);
    assert.match(backlog.detail ?? '', new RegExp(`^${stats.pending} item\\(s\\), ${(stats.bytes / 1e6).toFixed(1)} MB .*the running agent's figures`));
  });

  it('says it has no backlog figures (skip, not a copy) before the agent has written any', () => {
    rmSync(outboxSnapshotFile(dataDir));
    const cfg = writeConfig(tmp.dir, { gateway: { id: 'gw-store', dataDir }, mqtt: { url: 'mqtt://127.0.0.1:1' }, cameras: [] }, 'no-figures.json');
    const r = runDiag(cfg, ['--only', 'storage', '--json'], NO_TMP);
    assert.ok(r.report, r.stderr);
    assert.match(check(r.report, 'storage.leveldb').detail ?? '', /held by the running agent/);
    const backlog = check(r.report, 'storage.outbox');
    assert.equal(backlog.status, 'skip');
    assert.match(backlog.detail ?? '', /not written its outbox figures yet/);
  });
});
