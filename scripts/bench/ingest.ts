/**
 * Ingest benchmark: N (1, 2, 4) RTSP cameras, H.264 1280x720 15 fps, served on 127.0.0.1 and ingested
 * at 640x360 5 fps with recording on, by the real agent as it ships (`node dist/agent/cli/main.js run`,
 * detection off: this measures ingest) against a real Mosquitto. Reports per camera the sustained fps,
 * dropped frames, CPU% and RSS/PSS of its process, the agent process's own, and the whole tree.
 * Then the memory floor: the same N pipelines in ONE bare Node process with nothing but
 * gstreamer-superficial (scripts/bench/support/gst-floor.ts), i.e. what any design on this stack pays.
 *   npm run bench -- ingest      (BENCH_INGEST_SECONDS=30, BENCH_INGEST_COUNTS=1,2,4)
 *
 * The clips are scaled and encoded to 720p15 ONCE beforehand (cached in the temp folder), so the
 * RTSP server only re-packetises: encoding four live 720p streams would eat the two cores and
 * falsify the figure. The servers' own CPU is reported separately, not counted as the agent's.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { validateConfig } from '../../agent/config/validate.js';
import { buildPlan } from '../../agent/ingest/pipeline-plan.js';
import { MosquittoBroker } from '../../test/support/mosquitto.js';
import { MqttCollector } from '../../test/support/mqtt-collector.js';
import { endChild } from '../../test/support/end-child.js';
import { RtspTestServer } from '../../test/support/rtsp.js';
import { REPO_ROOT, tempDir, VIDEOS_DIR } from '../../test/support/tmp.js';
import { waitFor } from '../../test/support/wait.js';
import { cameraProcesses, CLK_TCK, cpuPercent, mb, procSample, round1 } from './support/proc.js';
import { runStandalone } from './support/standalone.js';

const CLIPS = ['intel_car-detection.mp4', 'ozlu_vehicle_survaillance.mp4', 'ozlu_pedestrian_survaillance.mp4', 'bgslib_video02.avi'];

/** 720p15 H.264 copies of the clips, encoded once and cached. */
function prepareClips(): string[] {
  const dir = path.join(os.tmpdir(), 'edge-bench-ingest');
  mkdirSync(dir, { recursive: true });
  return CLIPS.map((clip) => {
    const out = path.join(dir, `${path.parse(clip).name}-720p15.mp4`);
    if (existsSync(out)) return out;
    process.stdout.write(`encoding ${clip} to 1280x720 15 fps H.264 (once)...\n`);
    const tmp = `${out}.part`;
    const res = spawnSync('gst-launch-1.0', [
      '-q', 'filesrc', `location=${path.join(VIDEOS_DIR, clip)}`, '!', 'decodebin', '!', 'videoconvert', '!', 'videoscale', '!', 'videorate', '!',
      'video/x-raw,format=I420,width=1280,height=720,framerate=15/1,pixel-aspect-ratio=1/1', '!',
      'x264enc', 'speed-preset=faster', 'bitrate=2500', 'key-int-max=30', '!', 'video/x-h264,profile=main', '!', 'h264parse', '!', 'mp4mux', '!', 'filesink', `location=${tmp}`,
    ], { encoding: 'utf8', timeout: 600000 });
    if (res.status !== 0) throw new Error(`encoding ${clip} failed: ${res.stderr}`);
    renameSync(tmp, out);
    return out;
  });
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

interface CameraFigures {
  fps: number;
  dropped: number;
  cpuPercent: number;
  rssMB: number;
  pssMB: number;
  reconnects: number;
}

interface HealthReport {
  cameras: Record<string, { state: string; fpsIn: number; dropped: number; reconnects: number }>;
}

const AGENT_MAIN = path.join(REPO_ROOT, 'dist/agent/cli/main.js');
const FLOOR_MAIN = path.join(REPO_ROOT, 'dist/scripts/bench/support/gst-floor.js');

function cameraConfigs(urls: string[]): Array<Record<string, unknown>> {
  return urls.map((url, i) => ({ id: `cam${i + 1}`, source: { kind: 'rtsp', url }, detect: { width: 640, height: 360, fps: 5 } }));
}

async function runAgent(n: number, rtsp: RtspTestServer[], broker: MosquittoBroker, seconds: number): Promise<Record<string, unknown>> {
  const tmp = tempDir('bench-ingest-');
  const config = {
    gateway: { id: 'bench', dataDir: tmp.dir },
    mqtt: { url: broker.url },
    health: { intervalSeconds: 2 },
    detection: { enabled: false },
    recording: { segmentSeconds: 10 },
    cameras: cameraConfigs(rtsp.map((s) => s.url)),
  };
  const res = validateConfig(config);
  if (!res.ok) throw new Error(JSON.stringify(res.problems));
  const configFile = path.join(tmp.dir, 'agent.json');
  writeFileSync(configFile, JSON.stringify(config));
  const health = await new MqttCollector(broker.url, 'edge/bench/health').start();
  const agent: ChildProcess = spawn(process.execPath, [AGENT_MAIN, 'run', '--config', configFile], { cwd: REPO_ROOT, stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, EDGE_LOG_LEVEL: 'warn' } });
  const ids = res.config.cameras.map((c) => c.id);
  try {
    const agentPid = agent.pid ?? 0;
    await waitFor(() => {
      const cameras = health.last<HealthReport>('/health')?.cameras;
      return cameras && ids.every((id) => cameras[id]?.fpsIn);
    }, { timeoutMs: 120000, what: `all ${n} cameras streaming` });
    await sleep(5000); // decoder start-up, first segment: then a steady window
    const procs = cameraProcesses(agentPid);
    const before = new Map([...procs].map(([id, pid]) => [id, procSample(pid)]));
    const agentBefore = procSample(agentPid);
    const serverBefore = rtsp.map((s) => procSample(s.pid));
    const firstHealth = health.messages.length;
    const t0 = performance.now();
    let peakTotalRssKb = 0;
    const peakTimer = setInterval(() => {
      const total = [agentPid, ...procs.values()].reduce((sum, pid) => sum + (procSample(pid)?.rssKb ?? 0), 0);
      peakTotalRssKb = Math.max(peakTotalRssKb, total);
    }, 1000);
    await sleep(seconds * 1000);
    clearInterval(peakTimer);
    const elapsed = (performance.now() - t0) / 1000;
    const reports = health.json<HealthReport>('/health').map((h) => h.cameras);
    const samples = reports.slice(firstHealth);
    const first = reports[firstHealth - 1] ?? samples[0];
    const last = samples[samples.length - 1];
    const cams: Record<string, CameraFigures> = {};
    for (const id of ids) {
      const pid = cameraProcesses(agentPid).get(id);
      const b = before.get(id);
      const a = procSample(pid);
      const fpsSamples = samples.map((s) => s[id]?.fpsIn ?? 0);
      cams[id] = {
        fps: Math.round((fpsSamples.reduce((x, y) => x + y, 0) / Math.max(1, fpsSamples.length)) * 100) / 100,
        dropped: (last?.[id]?.dropped ?? 0) - (first?.[id]?.dropped ?? 0),
        cpuPercent: a && b && pid === procs.get(id) ? cpuPercent(b.ticks, a.ticks, elapsed) : -1,
        rssMB: a ? mb(a.rssKb) : -1,
        pssMB: a ? mb(a.pssKb) : -1,
        reconnects: last?.[id]?.reconnects ?? -1,
      };
    }
    const agentAfter = procSample(agentPid);
    const camValues = Object.values(cams);
    const agentFig = { cpuPercent: agentBefore && agentAfter ? cpuPercent(agentBefore.ticks, agentAfter.ticks, elapsed) : -1, rssMB: mb(agentAfter?.rssKb ?? 0), pssMB: mb(agentAfter?.pssKb ?? 0) };
    const serverCpu = rtsp.reduce((sum, s, i) => {
      const a = procSample(s.pid);
      const b = serverBefore[i];
      return sum + (a && b ? ((a.ticks - b.ticks) / CLK_TCK / elapsed) * 100 : 0);
    }, 0);
    return {
      cameras: n,
      seconds: Math.round(elapsed),
      perCamera: cams,
      agentProcess: agentFig,
      totalRssMB: round1(agentFig.rssMB + camValues.reduce((s, c) => s + c.rssMB, 0)),
      peakTotalRssMB: mb(peakTotalRssKb),
      totalPssMB: round1(agentFig.pssMB + camValues.reduce((s, c) => s + c.pssMB, 0)),
      totalCpuPercent: round1(agentFig.cpuPercent + camValues.reduce((s, c) => s + c.cpuPercent, 0)),
      droppedTotal: camValues.reduce((s, c) => s + c.dropped, 0),
      minFps: Math.min(...camValues.map((c) => c.fps)),
      rtspServersCpuPercent: round1(serverCpu),
    };
  } finally {
    await endChild(agent, 'SIGTERM');
    await health.stop();
    tmp.cleanup();
  }
}

/** The same pipelines as the agent builds, in one bare Node process: RSS/PSS after `seconds`. */
async function runFloor(rtsp: RtspTestServer[], seconds: number): Promise<Record<string, unknown>> {
  const tmp = tempDir('bench-floor-');
  const res = validateConfig({ gateway: { id: 'bench', dataDir: tmp.dir }, mqtt: { url: 'mqtt://127.0.0.1:1' }, recording: { segmentSeconds: 10 }, cameras: cameraConfigs(rtsp.map((s) => s.url)) });
  if (!res.ok) throw new Error(JSON.stringify(res.problems));
  const plans = await Promise.all(res.config.cameras.map((camera) => buildPlan({ camera, dataDir: tmp.dir, recording: res.config.recording, frameSink: 'appsink' })));
  for (const p of plans) if (p.recordDir) mkdirSync(p.recordDir, { recursive: true });
  const floor = spawn(process.execPath, [FLOOR_MAIN, JSON.stringify(plans.map((p) => p.pipeline))], { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, UV_THREADPOOL_SIZE: String(4 + 2 * plans.length) } });
  let frames: number[] = [];
  // One JSON line per second; a read may end mid-line, so only complete lines count.
  let pending = '';
  floor.stdout?.on('data', (chunk: Buffer) => {
    const lines = (pending + chunk.toString()).split('\n');
    pending = lines.pop() ?? '';
    const line = lines.filter(Boolean).pop();
    if (line) frames = (JSON.parse(line) as { frames: number[] }).frames;
  });
  try {
    await waitFor(() => frames.length === plans.length && frames.every((f) => f >= 10), { timeoutMs: 120000, what: 'floor process streaming' });
    const framesBefore = [...frames];
    await sleep(seconds * 1000);
    const s = procSample(floor.pid);
    return { rssMB: mb(s?.rssKb ?? 0), pssMB: mb(s?.pssKb ?? 0), fps: frames.map((f, i) => round1((f - framesBefore[i]) / seconds)) };
  } finally {
    await endChild(floor, 'SIGKILL');
    tmp.cleanup();
  }
}

async function runCount(n: number, files: string[], broker: MosquittoBroker, seconds: number): Promise<Record<string, unknown>> {
  const rtsp: RtspTestServer[] = [];
  for (let i = 0; i < n; i++) rtsp.push(new RtspTestServer({ file: files[i % files.length] }));
  await Promise.all(rtsp.map((s) => s.start()));
  try {
    const agent = await runAgent(n, rtsp, broker, seconds);
    const floor = await runFloor(rtsp, Math.min(seconds, 20));
    return { ...agent, floorOneBareProcess: floor, loadAverage: os.loadavg().map(round1) };
  } finally {
    await Promise.all(rtsp.map((s) => s.stop()));
  }
}

export async function run(): Promise<Record<string, unknown>> {
  const seconds = Number(process.env.BENCH_INGEST_SECONDS ?? 30);
  const counts = (process.env.BENCH_INGEST_COUNTS ?? '1,2,4').split(',').map(Number);
  for (const built of [AGENT_MAIN, FLOOR_MAIN]) if (!existsSync(built)) throw new Error(`${built} is missing: run npm run build (npm run bench does)`);
  const files = prepareClips();
  const broker = await new MosquittoBroker().start();
  const results: Record<string, unknown> = {};
  try {
    for (const n of counts) {
      process.stdout.write(`ingest: ${n} camera(s), ${seconds} s...\n`);
      const r = await runCount(n, files, broker, seconds);
      results[`cameras${n}`] = r;
      for (const [id, c] of Object.entries(r.perCamera as Record<string, CameraFigures>)) {
        process.stdout.write(`  ${id}: ${c.fps} fps, dropped ${c.dropped}, CPU ${c.cpuPercent}%, RSS ${c.rssMB} MB (PSS ${c.pssMB}), reconnects ${c.reconnects}\n`);
      }
      const agent = r.agentProcess as { cpuPercent: number; rssMB: number; pssMB: number };
      const floor = r.floorOneBareProcess as { rssMB: number; pssMB: number; fps: number[] };
      process.stdout.write(
        `  agent process: CPU ${agent.cpuPercent}%, RSS ${agent.rssMB} MB (PSS ${agent.pssMB}); whole tree RSS ${r.totalRssMB} MB (peak ${r.peakTotalRssMB}), PSS ${r.totalPssMB} MB, CPU ${r.totalCpuPercent}% (of 200%); RTSP servers ${r.rtspServersCpuPercent}%\n` +
          `  floor, the same pipelines in one bare Node process: RSS ${floor.rssMB} MB (PSS ${floor.pssMB}) at ${floor.fps.join('/')} fps; load ${JSON.stringify(r.loadAverage)}\n`,
      );
    }
  } finally {
    await broker.stop();
  }
  return results;
}

if (require.main === module) runStandalone('ingest', run);
