/**
 * Motion figures: ms per 640x360 frame of agent/detection/motion in TypeScript, side by side with
 * the same algorithm written with OpenCV (motion_opencv.py, Debian python3-opencv, one OpenCV
 * thread like the one JS thread) on the same decoded frames of a real clip, in the same run.
 * Standalone: `npx tsx scripts/bench/motion.ts`.
 */
import { execFile } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Value } from '@sinclair/typebox/value';
import { MotionSection } from '../../agent/config/schema/detection.js';
import { MotionDetector, type MotionConfig } from '../../agent/detection/motion/index.js';
import { decodeFrames } from '../../test/support/decode-frames.js';
import { tempDir } from '../../test/support/tmp.js';

const W = 640;
const H = 360;
const PASSES = 4; // the first warms up (JIT, caches) and is not counted
const CLIP = 'intel_car-detection.mp4';
const GOAL_RATIO = 1.5;

function repoRoot(): string {
  let dir = __dirname;
  while (!existsSync(path.join(dir, 'scripts', 'bench', 'motion_opencv.py'))) {
    const up = path.dirname(dir);
    if (up === dir) throw new Error('scripts/bench/motion_opencv.py not found above ' + __dirname);
    dir = up;
  }
  return dir;
}

interface OpenCvFigures {
  msPerFrame: number;
  msPerFrameMean: number;
  frames: number;
  boxes: number[];
  motionPercent: number[];
}

function runOpenCv(script: string, rawFile: string, cfg: MotionConfig): Promise<OpenCvFigures> {
  return new Promise((resolve, reject) => {
    execFile('/usr/bin/python3', [script, rawFile, String(W), String(H), String(PASSES), JSON.stringify(cfg)], { timeout: 300000, maxBuffer: 16 << 20 }, (err, out, stderr) => {
      if (err) reject(new Error(`OpenCV twin failed: ${err.message}\n${stderr}`));
      else resolve(JSON.parse(out) as OpenCvFigures);
    });
  });
}

export async function run(): Promise<Record<string, unknown>> {
  const root = repoRoot();
  const frames = await decodeFrames(path.join(root, '..', 'shared', 'videos', CLIP), { width: W, height: H });
  const cfg = Value.Default(MotionSection, {}) as MotionConfig;
  const tmp = tempDir('bench-motion-');
  try {
    const rawFile = path.join(tmp.dir, 'frames.i420');
    writeFileSync(rawFile, Buffer.concat(frames.map((f) => f.data)));

    // The box is shared and noisy: TypeScript passes run before and after the OpenCV run, best counts.
    const times: number[] = [];
    let boxes: number[] = [];
    let motionPercent: number[] = [];
    const passTs = (count: boolean): void => {
      const md = new MotionDetector(cfg, W, H, []);
      const results = [];
      const t0 = performance.now();
      for (const f of frames) results.push(md.detect(f));
      if (count) times.push((performance.now() - t0) / frames.length);
      boxes = results.map((r) => r.boxes.length);
      motionPercent = results.map((r) => r.motionPercent);
    };
    for (let p = 0; p < PASSES; p++) passTs(p > 0);
    const cv = await runOpenCv(path.join(root, 'scripts', 'bench', 'motion_opencv.py'), rawFile, cfg);
    for (let p = 1; p < PASSES; p++) passTs(true);
    const tsMs = Math.min(...times);

    // Sanity that both run the same algorithm: per frame, do both see motion (a box) or not?
    let agree = 0;
    let pctGap = 0;
    for (let i = 0; i < frames.length; i++) {
      if (boxes[i] > 0 === cv.boxes[i] > 0) agree++;
      pctGap += Math.abs(motionPercent[i] - cv.motionPercent[i]);
    }
    const figures = {
      clip: CLIP,
      frames: frames.length,
      size: `${W}x${H}`,
      tsMsPerFrame: round(tsMs),
      tsMsPerFrameMean: round(times.reduce((a, b) => a + b, 0) / times.length),
      opencvMsPerFrame: round(cv.msPerFrame),
      opencvMsPerFrameMean: round(cv.msPerFrameMean),
      ratioTsToOpencv: round(tsMs / cv.msPerFrame),
      goalRatio: GOAL_RATIO,
      goalMet: tsMs <= GOAL_RATIO * cv.msPerFrame,
      motionAgreementPct: round((100 * agree) / frames.length),
      meanMotionPercentGap: round(pctGap / frames.length),
    };
    process.stdout.write(
      `motion on ${frames.length} real ${W}x${H} frames (${CLIP}), best of ${2 * (PASSES - 1)} TypeScript / ${PASSES - 1} OpenCV passes:\n` +
        `  TypeScript ${figures.tsMsPerFrame} ms/frame, OpenCV ${figures.opencvMsPerFrame} ms/frame -> ratio ${figures.ratioTsToOpencv} (goal <= ${GOAL_RATIO}: ${figures.goalMet ? 'met' : 'NOT met'})\n` +
        `  same motion/no-motion verdict on ${figures.motionAgreementPct}% of frames, mean motion% gap ${figures.meanMotionPercentGap}\n` +
        `${JSON.stringify(figures)}\n`,
    );
    return figures;
  } finally {
    tmp.cleanup();
  }
}

const round = (v: number): number => Math.round(v * 1000) / 1000;

if (require.main === module) {
  run().then(() => process.exit(0), (err: unknown) => {
    process.stderr.write(`${String(err)}\n`);
    process.exit(1);
  });
}
