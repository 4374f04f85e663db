/**
 * Storage: the outbox LevelDB opens (without fighting the running agent for its lock), the backlog
 * waiting for the uplink and its oldest item, and whether recording retention fits the disk.
 *
 * LevelDB allows one process per database. When the running agent holds the lock, that is itself the
 * answer to "does it open" (pass: held by the running agent), and the backlog comes from the figures
 * the agent writes beside the outbox at each health tick (outbox-snapshot.ts). The check stays cheap
 * enough for a HEALTHCHECK every minute: it never copies the database, and otherwise reads only
 * file sizes. The agent's own `diag` command answers from its live outbox instead.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import type { AgentConfig, CameraConfig } from '../../config/schema/index.js';
import { AgentError } from '../../core/errors.js';
import { createLogger } from '../../core/logger.js';
import { LevelOutboxStore } from '../../outbox/level/level-store.js';
import type { OutboxStats } from '../../outbox/types.js';
import { fail, pass, skip, warn, type CheckGroup, type Outcome } from '../check-runner.js';
import { readOutboxSnapshot } from '../outbox-snapshot.js';
import { diskFree } from './system.js';

const GB = 1e9;

export interface Backlog {
  pending: number;
  bytes: number;
  oldestTs?: number;
}

function toBacklog(s: OutboxStats, now = Date.now()): Backlog {
  return { pending: s.pending, bytes: s.bytes, oldestTs: s.pending ? now - s.oldestAgeS * 1000 : undefined };
}

/** Opened the way the agent opens it (same recovery, same counting), so the key layout stays the outbox's business. */
async function readStats(dir: string, cfg: AgentConfig['outbox']): Promise<OutboxStats> {
  const store = await LevelOutboxStore.open(dir, cfg, createLogger('error', 'diag'));
  try {
    return store.stats();
  } finally {
    await store.close();
  }
}

/**
 * The backlog and how it was read: opened directly, or (locked by the agent) from its snapshot, if
 * any; with the snapshot, the running agent's write figures too.
 */
export async function openOutboxForReading(dir: string, dataDir: string, cfg: AgentConfig['outbox']): Promise<{ backlog?: Backlog; agentStats?: OutboxStats; via: 'direct' | 'snapshot' | 'locked'; snapshotAgeS?: number }> {
  try {
    return { backlog: toBacklog(await readStats(dir, cfg)), via: 'direct' };
  } catch (err) {
    if (!(err instanceof AgentError && err.code === 'OUTBOX_LOCKED')) throw err;
  }
  const snapshot = readOutboxSnapshot(dataDir);
  if (!snapshot) return { via: 'locked' };
  return { backlog: toBacklog(snapshot.stats, snapshot.ts), agentStats: snapshot.stats, via: 'snapshot', snapshotAgeS: Math.max(0, Math.round((Date.now() - snapshot.ts) / 1000)) };
}

/**
 * Whether the running agent's outbox takes writes: refusing them now (a full or failing disk, its
 * database not reopened yet) fails; failures since start that healed warn. Figures of an agent from
 * before these fields count as no failures.
 */
export function writesOutcome(s: Partial<Pick<OutboxStats, 'writeFailures' | 'writable' | 'lastError'>>): Outcome {
  const failures = s.writeFailures ?? 0;
  const last = s.lastError ? `; the last at ${s.lastError.ts}: ${s.lastError.code} ${s.lastError.message}` : '';
  const remedy = 'free space on the data disk (see system.disk) or check it for errors (`dmesg`); the outbox reopens its database by itself once it can write';
  if (s.writable === false) return fail(failures, `the outbox refuses writes: events and clips are lost (${failures} refused since start${last})`, remedy, 'failures');
  if (failures > 0) return warn(failures, `${failures} write(s) failed since start, writes work again${last}`, remedy, 'failures');
  return pass(0, 'no write failed since start', 'failures');
}

export function backlogOutcome(b: Backlog, quotaBytes: number, now = Date.now()): Outcome {
  const ageS = b.oldestTs === undefined ? 0 : Math.round((now - b.oldestTs) / 1000);
  const pct = (b.bytes / quotaBytes) * 100;
  const detail = `${b.pending} item(s), ${(b.bytes / 1e6).toFixed(1)} MB (${pct.toFixed(0)}% of outbox.quotaBytes), oldest ${ageS} s old`;
  const remedy = 'items are not leaving: fix the uplink checks above; when the uplink is slow, lower snapshot/clip volume or raise outbox.bandwidthBytesPerSecond';
  if (pct >= 95) return fail(b.pending, `${detail}: at quota, the oldest clips and snapshots are being evicted`, remedy, 'items');
  if (pct >= 80 || ageS > 3600) return warn(b.pending, detail, remedy, 'items');
  return pass(b.pending, detail, 'items');
}

/** Bytes per second of a camera's recordings, measured from closed segments `<startMs>_<endMs>.<ext>`. */
export function measuredBitrate(dir: string): number | undefined {
  if (!existsSync(dir)) return undefined;
  let bytes = 0;
  let ms = 0;
  const segs = readdirSync(dir)
    .map((f) => ({ f, m: /^(\d+)_(\d+)\.\w+$/.exec(f) }))
    .filter((x): x is { f: string; m: RegExpExecArray } => x.m !== null)
    .sort((a, b) => Number(b.m[1]) - Number(a.m[1]))
    .slice(0, 30);
  for (const { f, m } of segs) {
    const d = Number(m[2]) - Number(m[1]);
    if (d <= 0) continue;
    bytes += statSync(path.join(dir, f)).size;
    ms += d;
  }
  return ms >= 5000 ? (bytes / ms) * 1000 : undefined;
}

function dirBytes(dir: string): number {
  if (!existsSync(dir)) return 0;
  let total = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    total += e.isDirectory() ? dirBytes(p) : statSync(p).size;
  }
  return total;
}

/** Assumed when nothing was recorded yet: a typical 1080p H.264 camera stream; encoded test/USB at detect size. */
function assumedBitrate(c: CameraConfig): number {
  return c.source.kind === 'test' || c.source.kind === 'v4l2' ? 125_000 : 250_000;
}

export function retentionOutcome(config: AgentConfig, freeBytes: number): Outcome {
  const recDir = path.join(config.gateway.dataDir, 'recordings');
  const cams = config.cameras.filter((c) => c.enabled && c.record.enabled);
  if (!cams.length) return skip('no camera records');
  const parts = cams.map((c) => {
    const m = measuredBitrate(path.join(recDir, c.id));
    return { id: c.id, rate: m ?? assumedBitrate(c), measured: m !== undefined };
  });
  const rate = parts.reduce((s, p) => s + p.rate, 0);
  const need = rate * config.recording.retentionHours * 3600;
  const capped = Math.min(need, config.recording.maxBytes);
  const recorded = dirBytes(recDir);
  const outboxDir = path.join(config.gateway.dataDir, 'outbox');
  const outboxNow = dirBytes(outboxDir);
  // Recordings and the outbox may grow into the free space plus what they already hold.
  const room = freeBytes + recorded + outboxNow;
  const wanted = capped + config.outbox.quotaBytes;
  const rates = parts.map((p) => `${p.id} ${((p.rate * 8) / 1e6).toFixed(2)} Mbit/s ${p.measured ? 'measured' : 'assumed'}`).join(', ');
  const detail = `${rates}; ${config.recording.retentionHours} h needs ${(need / GB).toFixed(1)} GB (maxBytes ${(config.recording.maxBytes / GB).toFixed(1)} GB) + outbox quota ${(config.outbox.quotaBytes / GB).toFixed(1)} GB; room ${(room / GB).toFixed(1)} GB`;
  const hoursFit = (Math.max(0, room - config.outbox.quotaBytes) / rate / 3600).toFixed(1);
  // An assumed bitrate only suggests: it warns at most; once segments are measured, it is a finding.
  const measuredAll = parts.every((p) => p.measured);
  const notMeasured = measuredAll ? '' : ' (estimate: re-run diag after the cameras have recorded a few minutes)';
  if (wanted > room) {
    const grade = measuredAll ? fail : warn;
    return grade(Number((wanted / GB).toFixed(2)), detail, `the disk fills before retention is reached${notMeasured}: lower recording.retentionHours to about ${hoursFit} h or recording.maxBytes, lower outbox.quotaBytes, or use a larger disk`, 'GB');
  }
  if (need > config.recording.maxBytes) {
    const hours = (config.recording.maxBytes / rate / 3600).toFixed(1);
    if (!measuredAll) return pass(Number((wanted / GB).toFixed(2)), `${detail}; maxBytes would keep about ${hours} h${notMeasured}`, 'GB');
    return warn(Number((wanted / GB).toFixed(2)), `${detail}; maxBytes keeps only about ${hours} h`, `raise recording.maxBytes to ${(need / GB).toFixed(1)} GB for the full ${config.recording.retentionHours} h, or lower retentionHours to ${hours}`, 'GB');
  }
  if (wanted > room * 0.9) return warn(Number((wanted / GB).toFixed(2)), `${detail}: less than 10% to spare`, 'leave headroom: lower retentionHours or maxBytes a little, or free disk space', 'GB');
  return pass(Number((wanted / GB).toFixed(2)), detail, 'GB');
}

export function storageChecks(config: AgentConfig, opts: { outboxStats?: () => OutboxStats } = {}): CheckGroup {
  const outboxDir = path.join(config.gateway.dataDir, 'outbox');
  return {
    group: 'storage',
    timeoutMs: 20000,
    timeoutRemedy: 'the disk is very slow: check it for errors (`dmesg`), an SD card may be failing',
    steps: [
      { id: 'storage.leveldb', title: 'outbox database opens' },
      { id: 'storage.outbox', title: 'outbox backlog and oldest item' },
      { id: 'storage.writes', title: 'outbox accepts writes' },
      { id: 'storage.retention', title: 'recording retention fits the disk' },
    ],
    async run(r) {
      try {
        r.report('storage.retention', retentionOutcome(config, diskFree(config.gateway.dataDir).free));
      } catch (err) {
        r.report('storage.retention', fail(null, `cannot estimate: ${(err as Error).message}`, 'check gateway.dataDir is readable'));
      }
      if (!existsSync(outboxDir)) {
        r.report('storage.leveldb', skip(`${outboxDir} does not exist yet: the agent creates it at first start`));
        r.report('storage.outbox', skip('no outbox yet'));
        return;
      }
      if (opts.outboxStats) {
        // Inside the running agent: its own open outbox is the answer, no second handle needed.
        r.report('storage.leveldb', pass(true, `${outboxDir}: open in this agent`));
        const stats = opts.outboxStats();
        r.report('storage.outbox', backlogOutcome(toBacklog(stats), config.outbox.quotaBytes));
        r.report('storage.writes', writesOutcome(stats));
        return;
      }
      const t0 = performance.now();
      try {
        const { backlog, agentStats, via, snapshotAgeS } = await openOutboxForReading(outboxDir, config.gateway.dataDir, config.outbox);
        const held = `${outboxDir}: held by the running agent (lock taken)`;
        r.report('storage.leveldb', pass(Math.round(performance.now() - t0), via === 'direct' ? `${outboxDir} opens` : held, 'ms'));
        if (!backlog) {
          r.report('storage.outbox', skip('held by the running agent, which has not written its outbox figures yet (at its first health tick): see its health message or status page'));
        } else {
          const outcome = backlogOutcome(backlog, config.outbox.quotaBytes);
          r.report('storage.outbox', via === 'snapshot' ? { ...outcome, detail: `${outcome.detail} (the running agent's figures of ${snapshotAgeS} s ago)` } : outcome);
        }
        if (agentStats) {
          const writes = writesOutcome(agentStats);
          r.report('storage.writes', { ...writes, detail: `${writes.detail} (the running agent's figures of ${snapshotAgeS} s ago)` });
        } else {
          r.report('storage.writes', skip(via === 'direct' ? 'no agent holds the outbox: write failures are counted by the running agent' : 'held by the running agent, which has not written its outbox figures yet'));
        }
      } catch (err) {
        r.report('storage.leveldb', fail(null, `${outboxDir}: ${(err as Error & { cause?: Error }).cause?.message ?? (err as Error).message}`, 'the outbox database is damaged or unreadable: check disk errors (`dmesg`); as a last resort stop the agent and move the outbox folder aside (queued items are lost)'));
        r.skipRest('not attempted: the outbox does not open');
      }
    },
  };
}
