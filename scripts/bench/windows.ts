/**
 * Windows against whole frames (docs/detector.md, "Windows"): the detection stage as it ships (real
 * motion, tracker, the default model) over every frame of each shared clip at 5 fps, 640x360, once
 * with windows and once looking at the whole frame whenever anything is of interest, alternated
 * (ROUNDS each) on one detector. Per clip and arm: detector runs and the share of a frame they looked
 * at per processed frame, and the detector's ms per processed frame (time inside the model's runs).
 * Standalone: `npx tsx scripts/bench/windows.ts`.
 */
import path from 'node:path';
import { validateConfig } from '../../agent/config/validate.js';
import { TypedBus } from '../../agent/core/bus.js';
import type { AgentEvents } from '../../agent/core/events.js';
import { createLogger } from '../../agent/core/logger.js';
import { DetectionStage, type DetectorLike } from '../../agent/detection/detection-stage.js';
import { DetectorService, type DetectorStats } from '../../agent/detection/detector/index.js';
import { decodeFrames } from '../../test/support/decode-frames.js';
import { REPO_ROOT, VIDEOS_DIR } from '../../test/support/tmp.js';
import { runStandalone } from './support/standalone.js';

const CLIPS = ['intel_car-detection.mp4', 'bgslib_video02.avi', 'ozlu_vehicle_survaillance.mp4', 'ozlu_pedestrian_survaillance.mp4'];
const ROUNDS = Number(process.env.BENCH_WINDOWS_ROUNDS ?? 2);
type Arm = 'windows' | 'whole';

interface ArmFigures { runsPerFrame: number; frameShareLookedAt: number; detectorMsPerFrame: number[] }

export async function run(): Promise<Record<string, unknown>> {
  const r = validateConfig({ mqtt: { url: 'mqtt://127.0.0.1:1883' }, cameras: [{ id: 'bench', source: { kind: 'test' }, detect: { fps: 5 } }] });
  if (!r.ok) throw new Error(JSON.stringify(r.problems));
  const config = r.config;
  const { width, height } = config.cameras[0].detect;
  const detector = await DetectorService.load({ manifestPath: path.resolve(REPO_ROOT, config.detection.model), threads: 2, queueSize: 4 });
  if (!detector.windowStride) throw new Error(`${config.detection.model} does not take windows`);
  const clips: Record<string, Record<Arm, ArmFigures>> = {};
  try {
    for (const clip of CLIPS) {
      const frames = await decodeFrames(path.join(VIDEOS_DIR, clip), { width, height, fps: 5, cameraId: 'bench' });
      const figures: Record<Arm, ArmFigures> = { windows: { runsPerFrame: 0, frameShareLookedAt: 0, detectorMsPerFrame: [] }, whole: { runsPerFrame: 0, frameShareLookedAt: 0, detectorMsPerFrame: [] } };
      for (let round = 0; round < 2 * ROUNDS; round++) {
        const arm: Arm = round % 2 === 0 ? 'whole' : 'windows';
        let runs = 0;
        let share = 0;
        const observed: DetectorLike<DetectorStats> = {
          inputSize: detector.inputSize,
          windowStride: arm === 'windows' ? detector.windowStride : undefined,
          labels: detector.labels,
          stats: () => detector.stats(),
          detect(req) {
            runs += req.regions.length;
            for (const b of req.regions) share += Math.min(1, ((b[2] - b[0]) * (b[3] - b[1])) / (width * height));
            return detector.detect(req);
          },
        };
        const stage = new DetectionStage({ config, bus: new TypedBus<AgentEvents>(), detector: observed, logger: createLogger('warn', 'bench') });
        const before = detector.stats().inferenceMsTotal;
        for (const f of frames) await stage.handle(f);
        await stage.stop();
        const f = figures[arm];
        f.runsPerFrame = +(runs / frames.length).toFixed(2);
        f.frameShareLookedAt = +(share / frames.length).toFixed(2);
        f.detectorMsPerFrame.push(+((detector.stats().inferenceMsTotal - before) / frames.length).toFixed(1));
      }
      clips[clip] = figures;
      process.stdout.write(`  ${clip}: ${JSON.stringify(figures)}\n`);
    }
  } finally {
    await detector.close();
  }
  const mean = (arm: Arm): number => +(Object.values(clips).reduce((s, c) => s + c[arm].detectorMsPerFrame.reduce((a, b) => a + b, 0) / c[arm].detectorMsPerFrame.length, 0) / CLIPS.length).toFixed(1);
  return { model: config.detection.model, rounds: ROUNDS, clips, meanDetectorMsPerFrame: { whole: mean('whole'), windows: mean('windows') } };
}

if (require.main === module) runStandalone('windows', run);
