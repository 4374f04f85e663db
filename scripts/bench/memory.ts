/**
 * Memory benchmark (issue 12): `edge-agent run` with 1, 2 and 4 file cameras of the shared street
 * clips at 5 fps, detection on, against a real Mosquitto. After ~40 s it sums PSS and RSS over the
 * agent's whole process tree from /proc/<pid>/smaps_rollup (the main process with its inference
 * worker, each camera process, the snapshot encoder, anything else they started; the mean of 5
 * samples over the last 10 s) and gives the CPU % of the camera processes over those 10 s, the
 * detector's inference times, the frames dropped and where the main process's memory is by mapping.
 *   npm run bench -- memory      (BENCH_MEMORY_SECONDS=40, BENCH_MEMORY_COUNTS=1,2,4,
 *                                 BENCH_MEMORY_SOURCE=file | rtsp | rtsp-auth, BENCH_MEMORY_CLIPS=0,
 *                                 BENCH_MEMORY_PRIVATE_NODE=0, BENCH_MEMORY_UNIT_ENV=0)
 * Runs the built agent (dist) when it exists, else from source under tsx like the CLI tests, with
 * the environment and node options of the systemd unit, from a private copy of the node binary.
 * The box is shared: compare runs made alternately, with the load average printed next to them.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { validateConfig } from '../../agent/config/validate.js';
import { AGENT_ARGV } from '../../test/support/agent-cli.js';
import { endChild } from '../../test/support/end-child.js';
import { MosquittoBroker } from '../../test/support/mosquitto.js';
import { MqttCollector } from '../../test/support/mqtt-collector.js';
import { RtspTestServer } from '../../test/support/rtsp.js';
import { REPO_ROOT, tempDir, VIDEOS_DIR } from '../../test/support/tmp.js';
import { waitFor } from '../../test/support/wait.js';
import { cameraRoleOf, cpuPercent, descendants, mb, procSample, pssByMapping, round1, type ProcSample } from './support/proc.js';
import { runStandalone } from './support/standalone.js';
import { unitEnvironment, unitNodeFlags } from './support/unit-env.js';

const CLIPS = ['intel_car-detection.mp4', 'ozlu_vehicle_survaillance.mp4', 'ozlu_pedestrian_survaillance.mp4', 'bgslib_video02.avi'];
/** H.264 clips an RTSP test camera serves as they are. */
const RTSP_CLIPS = ['intel_car-detection.mp4', 'ozlu_vehicle_survaillance.mp4', 'ozlu_pedestrian_survaillance.mp4'];
/**
 * BENCH_MEMORY_SOURCE: `file` (default: looped clips), `rtsp` (each clip from an RTSP test camera on
 * 127.0.0.1, not counted in the tree) or `rtsp-auth` (the same with a password: the Node launcher).
 */
type SourceKind = 'file' | 'rtsp' | 'rtsp-auth';
const CPU_WINDOW_S = 10;
/** BENCH_MEMORY_AGENT=<other checkout>/dist/agent/cli/main.js measures another build (before/after). */
const AGENT_DIST = process.env.BENCH_MEMORY_AGENT ?? path.join(REPO_ROOT, 'dist/agent/cli/main.js');
/**
 * The agent runs with the systemd unit's environment and node options, as on a box (the malloc
 * setting there is worth ~70 MB in the main process, the young-generation cap ~28 MB);
 * BENCH_MEMORY_UNIT_ENV=0 measures it without either.
 */
const AGENT_ENV = process.env.BENCH_MEMORY_UNIT_ENV === '0' ? {} : unitEnvironment();
const AGENT_NODE_FLAGS = process.env.BENCH_MEMORY_UNIT_ENV === '0' ? [] : unitNodeFlags();

/**
 * The node binary the agent runs from: a private copy by default. PSS splits a page among the
 * processes mapping it, and this benchmark is itself node: run from the same binary, the agent's
 * share of node's code (~45 MB touched) halves (~20 MB), which no box sees, where the agent is the
 * only node process. BENCH_MEMORY_PRIVATE_NODE=0 runs the shared binary (figures from before 2026-12-06).
 */
function agentNodeBinary(dir: string): string {
  if (process.env.BENCH_MEMORY_PRIVATE_NODE === '0') return process.execPath;
  const copy = path.join(dir, 'node');
  copyFileSync(process.execPath, copy);
  chmodSync(copy, 0o755);
  return copy;
}

interface ProcessFigures {
  pid: number;
  pssMB: number;
  rssMB: number;
  cpuPercent: number;
}

interface HealthReport {
  cameras: Record<string, { fpsIn: number; dropped: number; skipped?: number }>;
  detector?: { inferenceMsP50: number | null; inferenceMsP95: number | null; dropped: number; inferences: number };
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function agentArgv(): string[] {
  return existsSync(AGENT_DIST) ? [AGENT_DIST] : AGENT_ARGV;
}

/** Names a process of the tree: main, the camera id, or its executable name. */
function label(pid: number, agentPid: number): string {
  if (pid === agentPid) return 'main';
  const role = cameraRoleOf(pid);
  if (role?.role === 'camera') return role.cameraId;
  if (role?.role === 'launcher') return `${role.cameraId}:launcher`;
  if (role?.role === 'zygote') return 'camera-zygote';
  try {
    return `${readFileSync(`/proc/${pid}/comm`, 'utf8').trim()}:${pid}`;
  } catch {
    return `pid:${pid}`;
  }
}

/**
 * CPU % of all the agent's camera processes over the window (cameras, their launchers, the camera
 * zygote), relaunched ones included: live ones by their tick delta; ended ones by their parent's
 * cutime/cstime (their whole life: the agent's for its children, the zygote's for the cameras it
 * forked), less what those alive at the start had used by then. Other children that ended in the
 * window (clip cuts) stay in: a small overcount, never an undercount.
 */
function cameraCpuInWindow(agentPid: number, before: Map<number, ProcSample>, after: Map<number, ProcSample>, elapsed: number): number {
  if (!before.get(agentPid) || !after.get(agentPid)) return -1;
  const reapers = [agentPid, ...[...after.keys()].filter((pid) => cameraRoleOf(pid)?.role === 'zygote' && before.has(pid))];
  let ticks = 0;
  for (const reaper of reapers) {
    ticks += (after.get(reaper)?.reapedTicks ?? 0) - (before.get(reaper)?.reapedTicks ?? 0);
    // A parent's cutime holds only its own children's (grandchildren go to their parents).
    for (const [pid, b] of before) if (!after.has(pid) && b.ppid === reaper) ticks -= b.ticks;
  }
  for (const [pid, a] of after) if (pid !== agentPid && cameraRoleOf(pid)) ticks += a.ticks - (before.get(pid)?.ticks ?? 0);
  return cpuPercent(0, Math.max(0, ticks), elapsed);
}

function treeSample(agentPid: number): Map<number, ProcSample> {
  const out = new Map<number, ProcSample>();
  for (const pid of [agentPid, ...descendants(agentPid)]) {
    const s = procSample(pid);
    if (s) out.set(pid, s);
  }
  return out;
}

async function cameraSources(n: number, kind: SourceKind, servers: RtspTestServer[]): Promise<Array<Record<string, unknown>>> {
  if (kind === 'file') return Array.from({ length: n }, (_, i) => ({ kind: 'file', path: path.join(VIDEOS_DIR, CLIPS[i % CLIPS.length]), loop: true }));
  const auth = kind === 'rtsp-auth' ? { user: 'bench', password: 'bench-pw' } : {};
  const out: Array<Record<string, unknown>> = [];
  for (let i = 0; i < n; i++) {
    const server = await new RtspTestServer({ file: path.join(VIDEOS_DIR, RTSP_CLIPS[i % RTSP_CLIPS.length]), ...auth }).start();
    servers.push(server);
    out.push({ kind: 'rtsp', url: server.url, ...(kind === 'rtsp-auth' ? { username: 'bench', password: 'bench-pw' } : {}) });
  }
  return out;
}

async function runCount(n: number, broker: MosquittoBroker, seconds: number, kind: SourceKind, nodeBinary: string): Promise<Record<string, unknown>> {
  const tmp = tempDir('bench-memory-');
  const servers: RtspTestServer[] = [];
  const sources = await cameraSources(n, kind, servers);
  const config = {
    gateway: { id: 'bench', dataDir: tmp.dir },
    mqtt: { url: broker.url },
    health: { intervalSeconds: 2 },
    detection: { enabled: true },
    // BENCH_MEMORY_CLIPS=0: no event clips, so no clip-cut children in the CPU figure (cameras alone).
    ...(process.env.BENCH_MEMORY_CLIPS === '0' ? { clips: { onEvents: false } } : {}),
    cameras: Array.from({ length: n }, (_, i) => ({
      id: `cam${i + 1}`,
      source: sources[i],
      detect: { width: 640, height: 360, fps: 5 },
    })),
  };
  const res = validateConfig(config);
  if (!res.ok) throw new Error(JSON.stringify(res.problems));
  const configFile = path.join(tmp.dir, 'agent.json');
  writeFileSync(configFile, JSON.stringify(config));
  const health = await new MqttCollector(broker.url, 'edge/bench/health').start();
  const t0 = performance.now();
  const agent: ChildProcess = spawn(nodeBinary, [...AGENT_NODE_FLAGS, ...agentArgv(), 'run', '--config', configFile], { cwd: path.resolve(AGENT_DIST, '../../../..'), stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, ...AGENT_ENV, EDGE_LOG_LEVEL: 'warn' } });
  const agentPid = agent.pid ?? 0;
  const ids = config.cameras.map((c) => c.id);
  try {
    await waitFor(() => {
      const cameras = health.last<HealthReport>('/health')?.cameras;
      return cameras && ids.every((id) => cameras[id]?.fpsIn);
    }, { timeoutMs: 120000, what: `all ${n} cameras streaming` });
    const windowStart = Math.max(0, seconds - CPU_WINDOW_S) * 1000 - (performance.now() - t0);
    if (windowStart > 0) await sleep(windowStart);
    const firstHealth = health.messages.length;
    const before = treeSample(agentPid);
    const w0 = performance.now();
    // Memory is the mean of a sample every 2 s over the window: one reading lands on a random GC phase.
    const samples: Array<Map<number, ProcSample>> = [];
    for (let i = 0; i < CPU_WINDOW_S / 2; i++) {
      await sleep(2000);
      samples.push(treeSample(agentPid));
    }
    const elapsed = (performance.now() - w0) / 1000;
    const mainByMapping = pssByMapping(agentPid);
    const after = samples[samples.length - 1];
    const meanKb = (pid: number, key: 'pssKb' | 'rssKb'): number => {
      const seen = samples.map((s) => s.get(pid)?.[key]).filter((v): v is number => v !== undefined);
      return seen.reduce((x, y) => x + y, 0) / Math.max(1, seen.length);
    };
    const processes: Record<string, ProcessFigures> = {};
    for (const [pid, a] of after) {
      const b = before.get(pid);
      const name = label(pid, agentPid);
      // A looping file camera relaunches its child at the clip's end: the newest run stands for the camera.
      processes[name] = { pid, pssMB: mb(meanKb(pid, 'pssKb')), rssMB: mb(meanKb(pid, 'rssKb')), cpuPercent: b ? cpuPercent(b.ticks, a.ticks, elapsed) : -1 };
    }
    const camerasCpu = cameraCpuInWindow(agentPid, before, after, elapsed);
    const reports = health.json<HealthReport>('/health');
    const first = reports[firstHealth - 1];
    const last = reports[reports.length - 1];
    const all = Object.values(processes);
    const cams = ids.map((id) => processes[id]).filter((c): c is ProcessFigures => !!c);
    return {
      cameras: n,
      source: kind,
      atSeconds: Math.round((performance.now() - t0) / 1000),
      processes,
      mainByMapping,
      totalPssMB: round1(all.reduce((s, p) => s + p.pssMB, 0)),
      totalRssMB: round1(all.reduce((s, p) => s + p.rssMB, 0)),
      cameraPssMBMean: round1(cams.reduce((s, p) => s + p.pssMB, 0) / Math.max(1, cams.length)),
      cameraCpuPercentMean: round1(camerasCpu / n),
      droppedInWindow: ids.reduce((s, id) => s + (last?.cameras[id]?.dropped ?? 0) - (first?.cameras[id]?.dropped ?? 0), 0),
      detectorSkippedInWindow: ids.reduce((s, id) => s + (last?.cameras[id]?.skipped ?? 0) - (first?.cameras[id]?.skipped ?? 0), 0),
      inferenceMsP50: last?.detector?.inferenceMsP50 ?? null,
      inferenceMsP95: last?.detector?.inferenceMsP95 ?? null,
      loadAverage: os.loadavg().map(round1),
    };
  } finally {
    await endChild(agent, 'SIGTERM');
    await health.stop();
    for (const server of servers) await server.stop();
    tmp.cleanup();
  }
}

function printTable(r: Record<string, unknown>): void {
  const procs = r.processes as Record<string, ProcessFigures>;
  process.stdout.write(`  ${'process'.padEnd(16)} ${'PSS MB'.padStart(8)} ${'RSS MB'.padStart(8)} ${'CPU %'.padStart(7)}\n`);
  for (const [name, p] of Object.entries(procs)) {
    process.stdout.write(`  ${name.padEnd(16)} ${String(p.pssMB).padStart(8)} ${String(p.rssMB).padStart(8)} ${String(p.cpuPercent).padStart(7)}\n`);
  }
  process.stdout.write(
    `  ${'tree'.padEnd(16)} ${String(r.totalPssMB).padStart(8)} ${String(r.totalRssMB).padStart(8)}\n` +
      `  CPU per camera ${r.cameraCpuPercentMean} % (all camera children over the window, relaunches included)\n` +
      `  main process by mapping (PSS MB): ${(r.mainByMapping as Array<{ mapping: string; pssMB: number }>).map((m) => `${m.mapping} ${m.pssMB}`).join(', ')}\n` +
      `  inference p50/p95 ${r.inferenceMsP50}/${r.inferenceMsP95} ms, dropped ${r.droppedInWindow}, detector skipped ${r.detectorSkippedInWindow}; load ${JSON.stringify(r.loadAverage)}\n`,
  );
}

export async function run(): Promise<Record<string, unknown>> {
  const seconds = Number(process.env.BENCH_MEMORY_SECONDS ?? 40);
  const counts = (process.env.BENCH_MEMORY_COUNTS ?? '1,2,4').split(',').map(Number);
  const kind = (process.env.BENCH_MEMORY_SOURCE ?? 'file') as SourceKind;
  if (!['file', 'rtsp', 'rtsp-auth'].includes(kind)) throw new Error(`BENCH_MEMORY_SOURCE=${kind}: file, rtsp or rtsp-auth`);
  const broker = await new MosquittoBroker().start();
  const bin = tempDir('bench-memory-node-');
  const nodeBinary = agentNodeBinary(bin.dir);
  const results: Record<string, unknown> = { privateNodeBinary: nodeBinary !== process.execPath };
  try {
    for (const n of counts) {
      process.stdout.write(`memory: ${n} ${kind} camera(s), ${seconds} s, node ${nodeBinary === process.execPath ? 'shared with the bench' : 'a private copy'}...\n`);
      const r = await runCount(n, broker, seconds, kind, nodeBinary);
      results[`cameras${n}${kind === 'file' ? '' : `-${kind}`}`] = r;
      printTable(r);
    }
  } finally {
    await broker.stop();
    bin.cleanup();
  }
  return results;
}

if (require.main === module) runStandalone('memory', run);
