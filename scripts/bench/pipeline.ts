/**
 * Whole-pipeline benchmark (issue 3): 1, 2 and 4 cameras of real street clips at 5 fps through the
 * real ingest processes, motion gating, the ONE shared ONNX detector and tracking — what a box
 * sustains. Reports per camera frames in, frames processed per second, skipped and dropped frames,
 * motion %, and the detector's inference ms and queue drops.
 *   npx tsx scripts/bench/pipeline.ts       (BENCH_PIPELINE_SECONDS=40, BENCH_PIPELINE_COUNTS=1,2,4)
 */
import path from 'node:path';
import { TypedBus } from '../../agent/core/bus.js';
import type { AgentEvents } from '../../agent/core/events.js';
import { createLogger } from '../../agent/core/logger.js';
import { INSTALL_ROOT } from '../../agent/core/version.js';
import { validateConfig } from '../../agent/config/validate.js';
import { DetectionStage } from '../../agent/detection/detection-stage.js';
import { DetectorService } from '../../agent/detection/detector/detector-service.js';
import { CameraManager } from '../../agent/ingest/camera-manager.js';
import { tempDir, VIDEOS_DIR } from '../../test/support/tmp.js';
import { waitFor } from '../../test/support/wait.js';

const CLIPS = ['ozlu_vehicle_survaillance.mp4', 'ozlu_pedestrian_survaillance.mp4', 'intel_car-detection.mp4', 'bgslib_video02.avi'];

async function measure(count: number, seconds: number): Promise<Record<string, unknown>> {
  const tmp = tempDir('bench-pipeline-');
  const logger = createLogger('warn');
  const cameras = Array.from({ length: count }, (_, i) => ({ id: `cam${i + 1}`, source: { kind: 'file', path: path.join(VIDEOS_DIR, CLIPS[i % CLIPS.length]), loop: true }, record: { enabled: false } }));
  const result = validateConfig({ gateway: { id: 'bench', dataDir: tmp.dir }, mqtt: { url: 'mqtt://127.0.0.1:1' }, cameras });
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  const config = result.config;
  const bus = new TypedBus<AgentEvents>();
  const detector = await DetectorService.load({ manifestPath: path.resolve(INSTALL_ROOT, config.detection.model), threads: config.detection.threads, queueSize: config.detection.queueSize, logger });
  const stage = new DetectionStage({ config, bus, detector, logger });
  const manager = new CameraManager({ cameras: config.cameras, dataDir: tmp.dir, recording: config.recording, bus, logger });
  let events = 0;
  bus.on('detection.event', () => events++);
  manager.start();
  try {
    await waitFor(() => Object.values(manager.stats()).every((s) => s.state === 'streaming'), { timeoutMs: 60000, what: 'all cameras streaming' });
    // Let motion calibrate, then count over the window.
    await new Promise((r) => setTimeout(r, 8000));
    const start = { stage: stage.stats().cameras, cams: manager.stats(), det: detector.stats() };
    const t0 = Date.now();
    await new Promise((r) => setTimeout(r, seconds * 1000));
    const secs = (Date.now() - t0) / 1000;
    const end = { stage: stage.stats().cameras, cams: manager.stats(), det: detector.stats() };
    const perCamera: Record<string, unknown> = {};
    for (const c of config.cameras) {
      const s0 = start.stage[c.id];
      const s1 = end.stage[c.id];
      perCamera[c.id] = {
        clip: path.basename((c.source as { path: string }).path),
        fpsIn: end.cams[c.id].fpsIn,
        processedFps: +((s1.processed - s0.processed) / secs).toFixed(2),
        skipped: s1.skipped - s0.skipped,
        overRate: s1.overRate - s0.overRate,
        dropped: end.cams[c.id].dropped - start.cams[c.id].dropped,
        motionPercent: +s1.motionPercent.toFixed(1),
      };
    }
    return {
      cameras: count,
      seconds: +secs.toFixed(1),
      perCamera,
      inferences: end.det.inferences - start.det.inferences,
      inferenceMsP50: end.det.inferenceMsP50,
      inferenceMsP95: end.det.inferenceMsP95,
      detectorDropped: end.det.dropped - start.det.dropped,
      events,
    };
  } finally {
    await manager.stop();
    await stage.stop();
    await detector.close();
    tmp.cleanup();
  }
}

export async function run(): Promise<Record<string, unknown>> {
  const seconds = Number(process.env.BENCH_PIPELINE_SECONDS ?? 40);
  const counts = (process.env.BENCH_PIPELINE_COUNTS ?? '1,2,4').split(',').map(Number);
  const out: Record<string, unknown> = {};
  for (const n of counts) {
    const r = await measure(n, seconds);
    out[`${n}cam`] = r;
    process.stdout.write(`${n} camera(s): ${JSON.stringify(r)}\n`);
  }
  return out;
}

if (require.main === module) {
  run().then((r) => {
    process.stdout.write(`${JSON.stringify(r)}\n`);
    process.exit(0);
  }, (err: unknown) => {
    process.stderr.write(`${String(err)}\n`);
    process.exit(1);
  });
}
