/**
 * Ingest benchmark: N (1, 2, 4) RTSP cameras, H.264 1280x720 15 fps, served on 127.0.0.1 and ingested
 * at 640x360 5 fps with recording on. Reports per camera the sustained fps, dropped frames, CPU% and
 * RSS of its process, and the agent process's own CPU and RSS.
 *   npx tsx scripts/bench/ingest.ts            (BENCH_INGEST_SECONDS=30, BENCH_INGEST_COUNTS=1,2,4)
 *
 * The clips are scaled and encoded to 720p15 ONCE beforehand (cached in the temp folder), so the
 * RTSP server only re-packetises: encoding four live 720p streams would eat the two cores and
 * falsify the figure. The servers' own CPU is reported separately, not counted as the agent's.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { TypedBus } from '../../agent/core/bus.js';
import type { AgentEvents } from '../../agent/core/events.js';
import { createLogger } from '../../agent/core/logger.js';
import { validateConfig } from '../../agent/config/validate.js';
import { CameraManager } from '../../agent/ingest/camera-manager.js';
import { RtspTestServer } from '../../test/support/rtsp.js';
import { REPO_ROOT, tempDir, VIDEOS_DIR } from '../../test/support/tmp.js';
import { waitFor } from '../../test/support/wait.js';

const CLIPS = ['intel_car-detection.mp4', 'ozlu_vehicle_survaillance.mp4', 'ozlu_pedestrian_survaillance.mp4', 'bgslib_video02.avi'];
const CLK_TCK = 100;

function videosDir(): string {
  return [process.env.EDGE_VIDEOS_DIR, VIDEOS_DIR, path.resolve(REPO_ROOT, '../shared/videos'), path.resolve(REPO_ROOT, '../../shared/videos')].find(
    (d): d is string => !!d && existsSync(path.join(d, CLIPS[0])),
  ) ?? VIDEOS_DIR;
}

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
      '-q', 'filesrc', `location=${path.join(videosDir(), clip)}`, '!', 'decodebin', '!', 'videoconvert', '!', 'videoscale', '!', 'videorate', '!',
      'video/x-raw,format=I420,width=1280,height=720,framerate=15/1,pixel-aspect-ratio=1/1', '!',
      'x264enc', 'speed-preset=faster', 'bitrate=2500', 'key-int-max=30', '!', 'video/x-h264,profile=main', '!', 'h264parse', '!', 'mp4mux', '!', 'filesink', `location=${tmp}`,
    ], { encoding: 'utf8', timeout: 600000 });
    if (res.status !== 0) throw new Error(`encoding ${clip} failed: ${res.stderr}`);
    renameSync(tmp, out);
    return out;
  });
}

/**
 * utime+stime ticks, RSS and PSS (kB) of a process, from /proc. PSS shares the pages of libraries
 * mapped by several processes (GStreamer, libav, node) among them: the fair per-process figure.
 */
function procSample(pid: number | undefined): { ticks: number; rssKb: number; pssKb: number } | undefined {
  if (!pid) return undefined;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]);
    const rss = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    let pssKb = 0;
    try {
      const pss = /^Pss:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'));
      pssKb = pss ? Number(pss[1]) : 0;
    } catch {
      // smaps_rollup needs Linux 4.14+
    }
    return { ticks, rssKb: rss ? Number(rss[1]) : 0, pssKb };
  } catch {
    return undefined;
  }
}

interface CameraFigures {
  fps: number;
  dropped: number;
  cpuPercent: number;
  rssMB: number;
  pssMB: number;
  reconnects: number;
  segments: number;
}

async function runCount(n: number, files: string[], seconds: number): Promise<Record<string, unknown>> {
  const tmp = tempDir('bench-ingest-');
  const rtsp: RtspTestServer[] = [];
  for (let i = 0; i < n; i++) rtsp.push(new RtspTestServer({ file: files[i % files.length] }));
  await Promise.all(rtsp.map((s) => s.start()));
  const res = validateConfig({
    gateway: { id: 'bench' },
    mqtt: { url: 'mqtt://127.0.0.1:1883' },
    recording: { segmentSeconds: 10 },
    cameras: rtsp.map((s, i) => ({ id: `cam${i + 1}`, source: { kind: 'rtsp', url: s.url }, detect: { width: 640, height: 360, fps: 5 } })),
  });
  if (!res.ok) throw new Error(JSON.stringify(res.problems));
  const bus = new TypedBus<AgentEvents>();
  const frames = new Map<string, number>();
  const segments = new Map<string, number>();
  bus.on('camera.frame', (f) => frames.set(f.cameraId, (frames.get(f.cameraId) ?? 0) + 1));
  bus.on('camera.segment', (s) => segments.set(s.cameraId, (segments.get(s.cameraId) ?? 0) + 1));
  const manager = new CameraManager({ cameras: res.config.cameras, dataDir: tmp.dir, recording: res.config.recording, bus, logger: createLogger('warn', 'bench'), resolveOnvif: undefined });
  manager.start();
  const ids = res.config.cameras.map((c) => c.id);
  try {
    await waitFor(() => ids.every((id) => (frames.get(id) ?? 0) >= 10), { timeoutMs: 120000, what: `all ${n} cameras streaming` });
    // Settle (decoder start-up, first segment), then measure a steady window.
    await new Promise((r) => setTimeout(r, 5000));
    const pids = manager.processIds();
    const before = new Map(ids.map((id) => [id, { frames: frames.get(id) ?? 0, dropped: manager.stats()[id].dropped, proc: procSample(pids[id]), segments: segments.get(id) ?? 0 }]));
    const serverBefore = rtsp.map((s) => procSample(s.pid));
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    let peakParentRss = 0;
    const rssTimer = setInterval(() => (peakParentRss = Math.max(peakParentRss, process.memoryUsage().rss)), 500);
    await new Promise((r) => setTimeout(r, seconds * 1000));
    clearInterval(rssTimer);
    const elapsed = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    const stats = manager.stats();
    const cams: Record<string, CameraFigures> = {};
    for (const id of ids) {
      const b = before.get(id)!;
      const after = procSample(manager.processIds()[id]);
      cams[id] = {
        fps: Math.round((((frames.get(id) ?? 0) - b.frames) / elapsed) * 100) / 100,
        dropped: stats[id].dropped - b.dropped,
        cpuPercent: b.proc && after ? Math.round(((after.ticks - b.proc.ticks) / CLK_TCK / elapsed) * 1000) / 10 : -1,
        rssMB: after ? Math.round(after.rssKb / 102.4) / 10 : -1,
        pssMB: after ? Math.round(after.pssKb / 102.4) / 10 : -1,
        reconnects: stats[id].reconnects,
        segments: (segments.get(id) ?? 0) - b.segments,
      };
    }
    const parentCpu = Math.round(((cpu.user + cpu.system) / 1e6 / elapsed) * 1000) / 10;
    const parentRssMB = Math.round(process.memoryUsage().rss / 104857.6) / 10;
    const parentPssMB = Math.round((procSample(process.pid)?.pssKb ?? 0) / 102.4) / 10;
    const serverCpu = rtsp.map((s, i) => {
      const a = procSample(s.pid);
      const b = serverBefore[i];
      return a && b ? ((a.ticks - b.ticks) / CLK_TCK / elapsed) * 100 : 0;
    });
    const camValues = Object.values(cams);
    const totalRssMB = Math.round((parentRssMB + camValues.reduce((s, c) => s + c.rssMB, 0)) * 10) / 10;
    const totalPssMB = Math.round((parentPssMB + camValues.reduce((s, c) => s + c.pssMB, 0)) * 10) / 10;
    return {
      cameras: n,
      seconds: Math.round(elapsed),
      perCamera: cams,
      agentProcess: { cpuPercent: parentCpu, rssMB: parentRssMB, pssMB: parentPssMB, peakRssMB: Math.round(peakParentRss / 104857.6) / 10 },
      cameraProcesses: {
        cpuPercent: Math.round(camValues.reduce((s, c) => s + c.cpuPercent, 0) * 10) / 10,
        rssMB: Math.round(camValues.reduce((s, c) => s + c.rssMB, 0) * 10) / 10,
        pssMB: Math.round(camValues.reduce((s, c) => s + c.pssMB, 0) * 10) / 10,
      },
      totalRssMB,
      totalPssMB,
      totalCpuPercent: Math.round((parentCpu + camValues.reduce((s, c) => s + c.cpuPercent, 0)) * 10) / 10,
      droppedTotal: camValues.reduce((s, c) => s + c.dropped, 0),
      minFps: Math.min(...camValues.map((c) => c.fps)),
      rtspServersCpuPercent: Math.round(serverCpu.reduce((s, c) => s + c, 0) * 10) / 10,
      loadAverage: os.loadavg().map((l) => Math.round(l * 10) / 10),
      runningFrom: path.extname(__filename) === '.ts' ? 'source (camera processes under tsx)' : 'dist (plain node)',
    };
  } finally {
    await manager.stop();
    await Promise.all(rtsp.map((s) => s.stop()));
    tmp.cleanup();
  }
}

export async function run(): Promise<Record<string, unknown>> {
  const seconds = Number(process.env.BENCH_INGEST_SECONDS ?? 30);
  const counts = (process.env.BENCH_INGEST_COUNTS ?? '1,2,4').split(',').map(Number);
  const files = prepareClips();
  const results: Record<string, unknown> = {};
  for (const n of counts) {
    process.stdout.write(`ingest: ${n} camera(s), ${seconds} s...\n`);
    const r = await runCount(n, files, seconds);
    results[`cameras${n}`] = r;
    const per = r.perCamera as Record<string, CameraFigures>;
    for (const [id, c] of Object.entries(per)) {
      process.stdout.write(`  ${id}: ${c.fps} fps, dropped ${c.dropped}, CPU ${c.cpuPercent}%, RSS ${c.rssMB} MB (PSS ${c.pssMB}), segments ${c.segments}, reconnects ${c.reconnects}\n`);
    }
    const agent = r.agentProcess as { cpuPercent: number; rssMB: number; pssMB: number };
    process.stdout.write(`  agent process: CPU ${agent.cpuPercent}%, RSS ${agent.rssMB} MB (PSS ${agent.pssMB}); total RSS ${r.totalRssMB} MB, PSS ${r.totalPssMB} MB, total CPU ${r.totalCpuPercent}% (of 200%); RTSP servers ${r.rtspServersCpuPercent}%; load ${JSON.stringify(r.loadAverage)}\n`);
  }
  return results;
}

if (require.main === module) {
  run().then(
    (r) => {
      process.stdout.write(`${JSON.stringify({ bench: 'ingest', ...r })}\n`);
      process.exit(0);
    },
    (err: unknown) => {
      process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
      process.exit(1);
    },
  );
}
