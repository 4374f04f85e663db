/**
 * The whole agent as a user runs it (issue 14): `edge-agent run` with 4 and 8 file cameras looping the
 * shared street clips at 5 fps (the default detect size and model), an embedded MQTT broker, and the
 * agent's own health messages as the only source of figures. Between two health reports taken after a
 * warm-up: processed fps, skipped frames, inferences/s, detector ms per processed frame
 * (= inferences × inference p50 / frames processed), and the whole agent's RSS (agent + camera
 * processes, from /proc). The 1-minute load average is printed: on a shared box the figures are only
 * as good as its idle time.
 *   npx tsx scripts/bench/agent-run.ts   (BENCH_AGENT_COUNTS=4,8  BENCH_AGENT_SECONDS=50  BENCH_AGENT_MODEL=<manifest>  BENCH_AGENT_THREADS=<n>
 *   BENCH_AGENT_MOTION='{"swayRadius":0}' (detection.motion options)  BENCH_AGENT_RECORD=segments|events (record; and cut a clip per ended event)
 *   BENCH_AGENT_NODE_ARGS='--cpu-prof --cpu-prof-dir=/tmp/prof' for a profile of the main thread)
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import mqtt from 'mqtt';
import { INSTALL_ROOT } from '../../agent/core/version.js';
import { startEmbeddedBroker } from '../../agent/runtime/demo-broker.js';
import { VIDEOS_DIR } from '../../test/support/tmp.js';
import { waitFor } from '../../test/support/wait.js';
import { descendants, procSample } from './support/proc.js';

/** The cameras' clips, in turn (BENCH_AGENT_CLIPS=a.mp4,b.avi: only those, e.g. one scene at a time). */
const CLIPS = process.env.BENCH_AGENT_CLIPS?.split(',') ?? ['ozlu_vehicle_survaillance.mp4', 'ozlu_pedestrian_survaillance.mp4', 'intel_car-detection.mp4', 'bgslib_video02.avi'];
const HEALTH_SECONDS = 5;
const WARMUP_SECONDS = 15;

interface Health {
  cameras: Record<string, { processed?: number; skipped?: number }>;
  detector?: { inferences: number; inferenceMsP50: number | null; dropped: number; inferenceMsTotal?: number; inferenceMsByCamera?: Record<string, number> };
  system?: { agentMainThreadBusyPercent?: number };
}

/** RSS (kB) of a process and all its descendants. */
function treeRssKb(root: number): number {
  return [root, ...descendants(root)].reduce((sum, pid) => sum + (procSample(pid)?.rssKb ?? 0), 0);
}

async function measure(count: number, seconds: number, model: string | undefined): Promise<Record<string, unknown>> {
  const broker = await startEmbeddedBroker();
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'edge-bench-agent-'));
  const gatewayId = 'bench-gw';
  const configFile = path.join(dataDir, 'config.json');
  // off: no recording (the default); segments: record, no clip per event; events: record and cut a clip per ended event.
  const record = process.env.BENCH_AGENT_RECORD ?? 'off';
  const cameras = Array.from({ length: count }, (_, i) => ({
    id: `cam${i + 1}`, source: { kind: 'file', path: path.join(VIDEOS_DIR, CLIPS[i % CLIPS.length]), loop: true }, detect: { fps: 5 }, record: { enabled: record !== 'off' },
  }));
  writeFileSync(configFile, JSON.stringify({
    gateway: { id: gatewayId, dataDir }, mqtt: { url: broker.url, protocolVersion: 4 }, health: { intervalSeconds: HEALTH_SECONDS }, cameras,
    clips: { onEvents: record === 'events' },
    detection: {
      ...(model ? { model } : {}),
      ...(process.env.BENCH_AGENT_THREADS ? { threads: Number(process.env.BENCH_AGENT_THREADS) } : {}),
      ...(process.env.BENCH_AGENT_MOTION ? { motion: JSON.parse(process.env.BENCH_AGENT_MOTION) as Record<string, unknown> } : {}),
    },
  }));
  const reports: { at: number; h: Health; rssKb: number }[] = [];
  const view = mqtt.connect(broker.url, { protocolVersion: 4, clientId: `bench-${process.pid}` });
  const nodeArgs = (process.env.BENCH_AGENT_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const cli = [...nodeArgs, '--import', 'tsx', path.join(INSTALL_ROOT, 'agent/cli/main.ts')];
  const agent = spawn(process.execPath, [...cli, 'run', '--config', configFile], { stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, EDGE_LOG_LEVEL: 'warn' } });
  view.on('message', (topic, payload) => {
    if (!topic.endsWith('/health')) return;
    reports.push({ at: Date.now(), h: JSON.parse(payload.toString()) as Health, rssKb: agent.pid ? treeRssKb(agent.pid) : 0 });
  });
  await view.subscribeAsync(`edge/${gatewayId}/health`, { qos: 1 });
  const started = Date.now();
  try {
    const nextReport = (after: number): Promise<unknown> => waitFor(() => reports.length > after, { timeoutMs: 2 * HEALTH_SECONDS * 1000, intervalMs: 250, what: 'the next health report' });
    await waitFor(() => reports.length > 0 && Object.values(reports[reports.length - 1].h.cameras).filter((c) => (c.processed ?? 0) > 0).length === count, { timeoutMs: 120_000, intervalMs: 250, what: 'every camera processing frames' });
    // Warm-up (motion calibrated, the detector's latency window filled), then the measured window: bench time, not a wait for state.
    await new Promise((r) => setTimeout(r, WARMUP_SECONDS * 1000));
    await nextReport(reports.length);
    const a = reports[reports.length - 1];
    await new Promise((r) => setTimeout(r, seconds * 1000));
    await nextReport(reports.length);
    const b = reports[reports.length - 1];
    const secs = (b.at - a.at) / 1000;
    const sum = (h: Health, k: 'processed' | 'skipped'): number => Object.values(h.cameras).reduce((s, c) => s + (c[k] ?? 0), 0);
    const processed = sum(b.h, 'processed') - sum(a.h, 'processed');
    const skipped = sum(b.h, 'skipped') - sum(a.h, 'skipped');
    const inferences = (b.h.detector?.inferences ?? 0) - (a.h.detector?.inferences ?? 0);
    const p50 = b.h.detector?.inferenceMsP50 ?? 0;
    // The time the model ran, from the agent's own health: with windows (runs of any size) p50 x runs is not it.
    const inferenceMs = (b.h.detector?.inferenceMsTotal ?? 0) - (a.h.detector?.inferenceMsTotal ?? 0);
    return {
      cameras: count,
      model: model || 'default',
      threads: process.env.BENCH_AGENT_THREADS ?? 'default',
      seconds: +secs.toFixed(1),
      processedFps: +(processed / secs).toFixed(2),
      processedFpsPerCamera: +(processed / secs / count).toFixed(2),
      skipped,
      skippedPercent: +((100 * skipped) / Math.max(1, skipped + processed)).toFixed(1),
      inferencesPerSecond: +(inferences / secs).toFixed(2),
      inferencesPerFrame: +(inferences / Math.max(1, processed)).toFixed(2),
      inferenceMsP50: p50,
      detectorMsPerProcessedFrame: +(inferenceMs / Math.max(1, processed)).toFixed(1),
      // The issue's formula, inferences x p50 / frames: equal to the above when every run is a whole frame.
      detectorMsPerProcessedFrameP50: +((inferences * p50) / Math.max(1, processed)).toFixed(1),
      detectorBusyPercent: +((100 * inferenceMs) / (secs * 1000)).toFixed(0),
      detectorDropped: (b.h.detector?.dropped ?? 0) - (a.h.detector?.dropped ?? 0),
      // Each scene's cost: the detector's ms per processed frame of each camera.
      detectorMsPerFrameByClip: Object.fromEntries(cameras.map((c, i) => {
        const ms = (b.h.detector?.inferenceMsByCamera?.[c.id] ?? 0) - (a.h.detector?.inferenceMsByCamera?.[c.id] ?? 0);
        const frames = (b.h.cameras[c.id]?.processed ?? 0) - (a.h.cameras[c.id]?.processed ?? 0);
        return [`${c.id} ${CLIPS[i % CLIPS.length]}`, +(ms / Math.max(1, frames)).toFixed(1)];
      })),
      // Where the skipped frames were: one clip's restarts or every camera alike.
      skippedByClip: Object.fromEntries(cameras.map((c, i) => [`${c.id} ${CLIPS[i % CLIPS.length]}`, (b.h.cameras[c.id]?.skipped ?? 0) - (a.h.cameras[c.id]?.skipped ?? 0)])),
      // Skipped frames per health interval across the window (bursts or a steady trickle).
      skippedPerInterval: reports.filter((r) => r.at >= a.at && r.at <= b.at).map((r, i, all) => (i === 0 ? 0 : sum(r.h, 'skipped') - sum(all[i - 1].h, 'skipped'))).slice(1),
      // The agent's main thread (motion, tracking, camera IPC, MQTT, clips): each report's share since the one before.
      mainThreadBusyPercent: reports.filter((r) => r.at > a.at && r.at <= b.at).map((r) => r.h.system?.agentMainThreadBusyPercent ?? null),
      rssMb: +(Math.max(a.rssKb, b.rssKb) / 1024).toFixed(0),
      loadAverage1m: +os.loadavg()[0].toFixed(1),
      wallSeconds: Math.round((Date.now() - started) / 1000),
    };
  } finally {
    // An agent that already ended (a refused config) would never emit 'exit' again.
    if (agent.exitCode === null && agent.signalCode === null) {
      agent.kill('SIGTERM');
      await new Promise((r) => agent.once('exit', r));
    }
    await view.endAsync(true);
    await broker.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

export async function run(): Promise<Record<string, unknown>> {
  const counts = (process.env.BENCH_AGENT_COUNTS ?? '4,8').split(',').map(Number);
  const seconds = Number(process.env.BENCH_AGENT_SECONDS ?? 50);
  const out: Record<string, unknown> = {};
  for (const c of counts) {
    out[`cameras${c}`] = await measure(c, seconds, process.env.BENCH_AGENT_MODEL);
    process.stdout.write(`${JSON.stringify(out[`cameras${c}`])}\n`);
  }
  return out;
}

if (require.main === module) {
  run().then(() => process.exit(0), (err: unknown) => {
    process.stderr.write(`bench agent-run: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
    process.exit(1);
  });
}
