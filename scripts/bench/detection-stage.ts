/**
 * Detection stage figures: tracker update cost with many objects, snapshot encode time, and the whole
 * per-camera loop (real motion, real ONNX detector, tracker, snapshots) on a real street clip.
 * Standalone: `npx tsx scripts/bench/detection-stage.ts`.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { validateConfig } from '../../agent/config/validate.js';
import { TypedBus } from '../../agent/core/bus.js';
import type { AgentEvents } from '../../agent/core/events.js';
import { createLogger } from '../../agent/core/logger.js';
import { DetectionStage } from '../../agent/detection/detection-stage.js';
import { DetectorService } from '../../agent/detection/detector/index.js';
import { normBox } from '../../agent/core/object-event.js';
import { pixelBox, toPixelBox } from '../../agent/detection/coords.js';
import { SnapshotEncoder } from '../../agent/detection/snapshot/encoder.js';
import { objectPolicy } from '../../agent/detection/tracking/filters.js';
import { ObjectTracker } from '../../agent/detection/tracking/tracker.js';
import type { TrackedDetection } from '../../agent/detection/tracking/track.js';
import { decodeFrames } from '../../test/support/decode-frames.js';
import { VIDEOS_DIR } from '../../test/support/tmp.js';
import { percentile } from './support/stats.js';

function repoRoot(): string {
  let dir = __dirname;
  while (!existsSync(path.join(dir, 'models')) || path.basename(dir) === 'dist') dir = path.dirname(dir);
  return dir;
}

function config(width: number, height: number) {
  const r = validateConfig({
    mqtt: { url: 'mqtt://127.0.0.1:1883' },
    cameras: [{ id: 'bench', source: { kind: 'test' }, detect: { width, height, fps: 5 } }],
  });
  if (!r.ok) throw new Error(JSON.stringify(r.problems));
  return r.config;
}

function benchTracker(objects: number, frames: number): number {
  const cfg = config(640, 360);
  const tracker = new ObjectTracker({ camera: 'bench', tracking: cfg.detection.tracking, policy: objectPolicy(cfg.detection, cfg.cameras[0]), zones: [], frame: { width: 640, height: 360 } });
  const t0 = process.hrtime.bigint();
  for (let f = 0; f < frames; f++) {
    const dets: TrackedDetection[] = [];
    for (let i = 0; i < objects; i++) {
      const x = ((i * 0.13 + f * 0.004) % 0.9);
      const y = (i % 7) * 0.12;
      dets.push({ label: i % 2 ? 'car' : 'person', score: 0.7, box: pixelBox(x * 640, y * 360, (x + 0.05) * 640, (y + 0.1) * 360) });
    }
    tracker.update(dets, f * 200);
  }
  return Number(process.hrtime.bigint() - t0) / 1e3 / frames;
}

export async function run(): Promise<Record<string, unknown>> {
  const root = repoRoot();
  const trackerUs20 = benchTracker(20, 500);
  const trackerUs100 = benchTracker(100, 200);

  const clip = { file: path.join(VIDEOS_DIR, 'ozlu_vehicle_survaillance.mp4'), width: 640, height: 352, fps: 24 };
  const all = await decodeFrames(clip.file, { width: clip.width, height: clip.height, cameraId: 'bench' });
  const start = Date.now();
  const frames = all.filter((_, i) => Math.floor((i * 5) / clip.fps) !== Math.floor(((i - 1) * 5) / clip.fps)).map((f, n) => ({ ...f, seq: n, ts: start + n * 200 }));

  const snapMs: number[] = [];
  const encoder = new SnapshotEncoder();
  await encoder.encode(frames[0], []); // starts the JPEG process
  for (let i = 0; i < 10; i++) {
    const t = performance.now();
    await encoder.encodePixels(frames[i], [toPixelBox(normBox(0.3, 0.3, 0.6, 0.7), frames[i])]);
    snapMs.push(performance.now() - t);
  }
  await encoder.close();

  const detector = await DetectorService.load({ manifestPath: path.join(root, 'models/centernet.manifest.json'), threads: 2, queueSize: 32 });
  const bus = new TypedBus<AgentEvents>();
  let events = 0;
  let snapshots = 0;
  bus.on('detection.event', () => events++);
  bus.on('detection.snapshot', () => snapshots++);
  const stage = new DetectionStage({ config: config(clip.width, clip.height), bus, detector, logger: createLogger('warn', 'bench') });
  const frameMs: number[] = [];
  const t0 = performance.now();
  for (const f of frames) {
    const t = performance.now();
    await stage.handle(f);
    frameMs.push(performance.now() - t);
  }
  const wallS = (performance.now() - t0) / 1000;
  await stage.stop();
  const det = detector.stats();
  await detector.close();

  const figures = {
    trackerUpdateUsAt20Objects: Math.round(trackerUs20),
    trackerUpdateUsAt100Objects: Math.round(trackerUs100),
    snapshotEncodeMsP50_640x352: percentile(snapMs, 50),
    clipFrames: frames.length,
    frameMsP50: percentile(frameMs, 50),
    frameMsP95: percentile(frameMs, 95),
    maxSustainableFps: Math.round((frames.length / wallS) * 10) / 10,
    regionsPerFrame: Math.round((det.inferences / frames.length) * 100) / 100,
    inferenceMsP50: det.inferenceMsP50,
    events,
    snapshots,
  };
  process.stdout.write(
    `tracker update: ${figures.trackerUpdateUsAt20Objects} µs with 20 objects, ${figures.trackerUpdateUsAt100Objects} µs with 100\n` +
      `snapshot JPEG 640x352: ${figures.snapshotEncodeMsP50_640x352} ms\n` +
      `stage on ${clip.width}x${clip.height} vehicle clip at 5 fps (${frames.length} frames): ${figures.frameMsP50} ms/frame p50, ${figures.frameMsP95} ms p95, ` +
      `${figures.regionsPerFrame} regions/frame, ${figures.maxSustainableFps} frames/s sustained, ${events} events, ${snapshots} snapshots\n`,
  );
  return figures;
}

if (require.main === module) {
  run().then((f) => {
    process.stdout.write(`${JSON.stringify(f)}\n`);
    process.exit(0);
  }, (err: unknown) => {
    process.stderr.write(`${String(err)}\n`);
    process.exit(1);
  });
}
