/**
 * Kill-point benchmark (issue 15, figures of the closing note): one `edge-agent run` (from source)
 * over a data dir that survives restarts, a file camera producing events and clips, a real Mosquitto
 * that is stopped for part of the run and started again, and the receiver running throughout
 * (dedupe by event id, clip signatures verified). The agent is killed -9 at BENCH_KILLS (20) random
 * points, BENCH_KILL_MIN_S..BENCH_KILL_MAX_S (4..28) s after each start (seeded: BENCH_KILL_SEED,
 * printed), and started again each time. At the end the camera run is stopped cleanly, its last seq
 * read from the outbox, and a camera-less run drains the rest. Counted: events queued (seqs handed
 * out) vs delivered, lost, duplicates left after the id dedupe, seq gaps, clips queued vs verified.
 *   nice -n 19 npm run bench -- kill-points
 * Fails (non-zero exit) when an event was lost or duplicated, or a queued clip did not arrive verified.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { SEQ_KEY } from '../../agent/outbox/entry.js';
import { openDb } from '../../agent/outbox/level/db.js';
import { Receiver } from '../../agent/receiver/receiver.js';
import { fileCamera, writeAgentConfig } from '../../test/e2e/support.js';
import { startCli, stopProcess } from '../../test/support/agent-cli.js';
import { cameraProcessesOf } from '../../test/support/camera-processes.js';
import { MosquittoBroker } from '../../test/support/mosquitto.js';
import { prng } from '../../test/support/prng.js';
import { tempDir } from '../../test/support/tmp.js';
import { waitFor } from '../../test/support/wait.js';
import { runStandalone } from './support/standalone.js';

const GW = 'gw-kill';
const KILLS = Number(process.env.BENCH_KILLS ?? 20);
const MIN_S = Number(process.env.BENCH_KILL_MIN_S ?? 4);
const MAX_S = Number(process.env.BENCH_KILL_MAX_S ?? 28);
/** A kill is counted mid-file-write when the next start removes the file whose enqueue it cut. */
const INTERRUPTED_FILE = 'outbox: removed a file whose enqueue was interrupted';

type Agent = ReturnType<typeof startCli>;
type KillPoint = { kill: number; afterS: number; broker: string; started: boolean; clipsQueued: number };
interface LogLine { msg?: string; clipId?: string }

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function logLines(log: string): LogLine[] {
  return log.split('\n').flatMap((l) => {
    if (!l.startsWith('{')) return [];
    try {
      return [JSON.parse(l) as LogLine];
    } catch {
      return []; // a line cut by the kill
    }
  });
}

const clipsQueuedIn = (log: string): string[] => logLines(log).filter((l) => l.msg === 'clip queued' && l.clipId).map((l) => l.clipId as string);

/** The last event seq the outbox handed out (read with the agent stopped: only one process may open it). */
async function lastSeq(dataDir: string): Promise<number> {
  const db = await openDb(path.join(dataDir, 'outbox'));
  try {
    const v = await db.get(SEQ_KEY);
    return v ? Number(v.toString()) : 0;
  } finally {
    await db.close();
  }
}

interface Delivered { lines: number; ids: Set<string>; seqCounts: Map<number, number> }

function delivered(outDir: string): Delivered {
  const file = path.join(outDir, 'events.jsonl');
  const out: Delivered = { lines: 0, ids: new Set(), seqCounts: new Map() };
  if (!existsSync(file)) return out;
  for (const line of readFileSync(file, 'utf8').split('\n').filter(Boolean)) {
    const { event } = JSON.parse(line) as { event: { id: string; seq: number } };
    out.lines++;
    out.ids.add(event.id);
    out.seqCounts.set(event.seq, (out.seqCounts.get(event.seq) ?? 0) + 1);
  }
  return out;
}

function files(outDir: string, ext: string): Set<string> {
  const dir = path.join(outDir, 'clips', GW);
  return new Set(existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith(ext)).map((f) => f.slice(0, -ext.length)) : []);
}

function table(rows: Array<Record<string, unknown>>): string {
  const cols = Object.keys(rows[0] ?? {});
  const width = cols.map((c) => Math.max(c.length, ...rows.map((r) => String(r[c]).length)));
  const fmt = (vals: string[]): string => vals.map((v, i) => v.padStart(width[i])).join('  ');
  return [fmt(cols), ...rows.map((r) => fmt(cols.map((c) => String(r[c]))))].join('\n');
}

export async function run(): Promise<Record<string, unknown>> {
  const seed = Number(process.env.BENCH_KILL_SEED ?? Math.floor(Math.random() * 2 ** 31));
  const random = prng(seed);
  process.stdout.write(`seed ${seed} (BENCH_KILL_SEED=${seed} replays these kill points), ${KILLS} kills ${MIN_S}..${MAX_S} s after each start\n`);
  const started = Date.now();
  const tmp = tempDir('bench-kill-points-');
  const broker = new MosquittoBroker({ persistence: true });
  const outDir = path.join(tmp.dir, 'central');
  const dataDir = path.join(tmp.dir, `${GW}-data`);
  let receiver: Receiver | undefined;
  let agent: Agent | undefined;
  const logs: string[] = [];
  const end = async (a: Agent, signal: NodeJS.Signals): Promise<void> => {
    await stopProcess(a, signal);
    logs.push(a.log);
  };
  try {
    await broker.start();
    receiver = new Receiver({ brokerUrl: broker.url, outDir, gateway: GW, clientId: 'central-kill-points', sessionExpirySeconds: 3600 });
    await receiver.start(); // resolves once subscribed: nothing the agent sends can go unseen
    const base = { health: { intervalSeconds: 5 }, recording: { segmentSeconds: 2 }, clips: { preSeconds: 1, postSeconds: 1 } };
    const cameraRun = writeAgentConfig(tmp.dir, GW, broker.url, { ...base, cameras: [fileCamera('street', 'ozlu_vehicle_survaillance.mp4')] });
    const drainRun = writeAgentConfig(tmp.dir, GW, broker.url, { ...base, cameras: [] }, 'drain.json');

    // The outage: the broker stops at a random moment of a run in the first half and comes back in
    // one a quarter of the kills later (the runs between are killed while buffering).
    const outageFrom = 1 + Math.floor(KILLS / 5 + random() * (KILLS / 5));
    const outageTo = outageFrom + Math.max(1, Math.ceil(KILLS / 4));
    const points: KillPoint[] = [];
    for (let k = 1; k <= KILLS; k++) {
      agent = startCli(['run', '--config', cameraRun]);
      const delayMs = (MIN_S + random() * (MAX_S - MIN_S)) * 1000;
      const toggleAt = random() * delayMs;
      if (k === outageFrom || k === outageTo) {
        await sleep(toggleAt);
        await (k === outageFrom ? broker.stop() : broker.start());
        await sleep(delayMs - toggleAt);
      } else {
        await sleep(delayMs);
      }
      const a = agent;
      agent = undefined;
      await end(a, 'SIGKILL');
      const point = { kill: k, afterS: Math.round(delayMs / 100) / 10, broker: k >= outageFrom && k < outageTo ? 'down' : 'up', started: a.log.includes('"msg":"agent started"'), clipsQueued: clipsQueuedIn(a.log).length };
      points.push(point);
      process.stdout.write(`kill ${k}: ${JSON.stringify(point)}${a.exitCode !== null ? ` (had exited ${a.exitCode} before the kill)` : ''}\n`);
    }
    if (outageFrom <= KILLS && outageTo > KILLS) await broker.start();

    // A last camera run that ends cleanly; then the seqs handed out are final.
    agent = startCli(['run', '--config', cameraRun]);
    await waitFor(() => agent?.log.includes('"msg":"agent started"'), { timeoutMs: 180000, what: 'the last camera run started' });
    await sleep(10000);
    const last = agent;
    agent = undefined;
    await end(last, 'SIGTERM');
    const queued = await lastSeq(dataDir);
    const clipsQueued = new Set(logs.flatMap(clipsQueuedIn));

    // A camera-less run drains what is still queued.
    agent = startCli(['run', '--config', drainRun]);
    const rcv = receiver;
    const complete = (): boolean => {
      const d = delivered(outDir);
      const mp4 = files(outDir, '.mp4');
      return [...Array(queued).keys()].every((i) => d.seqCounts.has(i + 1)) && [...clipsQueued].every((c) => mp4.has(c)) && rcv.stats().pendingClips === 0;
    };
    const drained = await waitFor(complete, { timeoutMs: 240000, intervalMs: 1000, what: 'the backlog drained' }).then(() => true, () => false);
    const drain = agent;
    agent = undefined;
    await end(drain, 'SIGTERM');
    await receiver.stop();
    const stats = receiver.stats();
    receiver = undefined;

    const d = delivered(outDir);
    const lost = [...Array(queued).keys()].map((i) => i + 1).filter((s) => !d.seqCounts.has(s));
    const duplicateSeqs = [...d.seqCounts].filter(([, n]) => n > 1).map(([s]) => s);
    const beyond = [...d.seqCounts.keys()].filter((s) => s > queued);
    const mp4 = files(outDir, '.mp4');
    const clipsMissing = [...clipsQueued].filter((c) => !mp4.has(c));
    const leftCameras = cameraProcessesOf(dataDir);
    for (const pid of leftCameras) process.kill(pid, 'SIGKILL');
    const figures = {
      seed, kills: KILLS, runs: KILLS + 2, killWindowS: [MIN_S, MAX_S], outageKills: [outageFrom, outageTo],
      killsMidFileWrite: logs.reduce((n, l) => n + l.split(INTERRUPTED_FILE).length - 1, 0),
      killsBeforeStarted: points.filter((p) => !p.started).length,
      eventsQueued: queued, eventsDelivered: d.ids.size, eventsLost: lost.length, lostSeqs: lost.slice(0, 20),
      duplicateIdsAfterDedupe: d.lines - d.ids.size, duplicateSeqsAfterDedupe: duplicateSeqs.length, seqsBeyondQueued: beyond.length,
      redeliveriesDropped: stats.duplicates, receiverSeqGaps: stats.missingSeqs[GW] ?? 0,
      clipsQueued: clipsQueued.size, clipsVerified: mp4.size, clipsMissing, clipsRejected: stats.rejected, clipsIncomplete: stats.pendingClips,
      snapshotsVerified: files(outDir, '.jpg').size, drained, cameraProcessesLeft: leftCameras.length,
      wallS: Math.round((Date.now() - started) / 1000),
    };
    const failed = lost.length > 0 || d.lines !== d.ids.size || duplicateSeqs.length > 0 || beyond.length > 0 || clipsMissing.length > 0 || stats.rejected > 0;
    process.stdout.write(`\n${table(points)}\n\n${table(Object.entries(figures).map(([figure, v]) => ({ figure, value: Array.isArray(v) ? v.join(',') || '-' : v })))}\n`);
    if (failed) process.stdout.write(`FAILED: kept in ${tmp.dir} for a look\n`);
    else tmp.cleanup();
    return { ...figures, failed };
  } finally {
    if (agent) await stopProcess(agent, 'SIGKILL');
    await receiver?.stop();
    await broker.dispose();
  }
}

if (require.main === module) runStandalone('kill-points', run);
