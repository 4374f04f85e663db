/**
 * Analytics figures (issue 13): the per-frame cost of CameraAnalytics with 50 tracks, and the line
 * count on bgslib_video02.avi with the real detector and the real tracker against the hand count in
 * test/fixtures/analytics/bgslib_video02.line.json. The detection stage is not used (its wiring of
 * analytics is a later step): every thinned frame is detected whole, as one square region.
 * Both ways of feeding the analytics are measured: the reported tracks only (`tracker.visible`) and
 * every track seen, confirmed or not (`tracker.seen`, what the detection stage feeds).
 * Standalone: `npx tsx scripts/bench/analytics.ts [detectFps]` (default 12.5, every 2nd frame).
 */
import path from 'node:path';
import { CameraAnalytics, type AnalyticsFact, type AnalyticsTrack } from '../../agent/analytics/analytics.js';
import { validateConfig } from '../../agent/config/validate.js';
import { DetectorService } from '../../agent/detection/detector/index.js';
import { objectPolicy } from '../../agent/detection/tracking/filters.js';
import { ObjectTracker } from '../../agent/detection/tracking/tracker.js';
import { pixelBox, toPixelBox } from '../../agent/detection/coords.js';
import { decodeFrames } from '../../test/support/decode-frames.js';
import { loadLineGroundTruth, MOTOR_LABELS, type LineGroundTruth } from '../../test/analytics/support/line-ground-truth.js';
import { REPO_ROOT, VIDEOS_DIR } from '../../test/support/tmp.js';
import { runStandalone } from './support/standalone.js';
import { percentile } from './support/stats.js';

const SETTINGS = { countIntervalSeconds: 10, lineHysteresis: 0.01 };

/** 50 tracks wandering over a 640x360 frame, 2 lines, a measured zone and a loiter zone. */
function benchCost(frames: number): { usP50: number; usP95: number } {
  const camera = {
    id: 'bench',
    lines: [
      { name: 'a', from: [0.05, 0.5] as [number, number], to: [0.95, 0.55] as [number, number] },
      { name: 'b', from: [0.5, 0.05] as [number, number], to: [0.45, 0.95] as [number, number], labels: ['car'] },
    ],
    zones: [
      { name: 'measured', polygon: [[0.3, 0.3], [0.7, 0.3], [0.8, 0.8], [0.2, 0.8]] as [number, number][], distances: [8, 25, 12, 25] },
      { name: 'bay', polygon: [[0, 0.7], [0.3, 0.7], [0.3, 1], [0, 1]] as [number, number][], loiterSeconds: 20 },
    ],
  };
  const a = new CameraAnalytics(camera, SETTINGS, ['car', 'person']);
  const us: number[] = [];
  for (let f = 0; f < frames; f++) {
    const tracks: AnalyticsTrack[] = [];
    for (let i = 0; i < 50; i++) {
      const x = (i * 97 + f * (1 + (i % 5))) % 600;
      const y = (i * 53 + f * (i % 3)) % 330;
      tracks.push({ id: `t${i}-${Math.floor(f / 150)}`, label: i % 2 ? 'car' : 'person', box: [x, y, x + 30, y + 25] });
    }
    const t = process.hrtime.bigint();
    a.update({ cameraId: 'bench', ts: 1_700_000_000_000 + f * 200, frameW: 640, frameH: 360, tracks });
    us.push(Number(process.hrtime.bigint() - t) / 1e3);
  }
  return { usP50: percentile(us.slice(50), 50, 3), usP95: percentile(us.slice(50), 95, 3) };
}

/** The tracks the tracker matched at `ts`: the reported ones only (`visible`), or every one (`seen`, what the detection stage feeds). */
function tracksAt(tracker: ObjectTracker, ts: number, mode: 'reported' | 'seen', W: number, H: number): AnalyticsTrack[] {
  if (mode === 'reported') return tracker.visible(ts).map((t) => ({ id: t.objectId, label: t.label, box: toPixelBox(t.box, { width: W, height: H }) }));
  return tracker.seen(ts).map((t) => ({ id: t.objectId, label: t.label, box: t.box, confirmed: t.reported }));
}

async function lineCount(detectFps: number, mode: 'reported' | 'seen'): Promise<Record<string, unknown>> {
  const gt = loadLineGroundTruth();
  const { width: W, height: H } = gt;
  const all = await decodeFrames(path.join(VIDEOS_DIR, gt.video), { width: W, height: H, cameraId: 'bgslib' });
  const step = gt.fps / detectFps;
  const picked = all.map((f, i) => ({ f, i })).filter(({ i }) => Math.floor(i / step) !== Math.floor((i - 1) / step));
  const cfg = validateConfig({ mqtt: { url: 'mqtt://127.0.0.1:1883' }, cameras: [{ id: 'bgslib', source: { kind: 'test' }, detect: { width: W, height: H, fps: detectFps } }] });
  if (!cfg.ok) throw new Error(JSON.stringify(cfg.problems));
  const tracker = new ObjectTracker({ camera: 'bgslib', tracking: cfg.config.detection.tracking, policy: objectPolicy(cfg.config.detection, cfg.config.cameras[0]), zones: [], frame: { width: W, height: H } });
  const analytics = new CameraAnalytics({ id: 'bgslib', lines: [gt.line], zones: [] }, SETTINGS, cfg.config.detection.labels);
  const detector = await DetectorService.load({ manifestPath: path.join(REPO_ROOT, 'models/centernet.manifest.json'), threads: 2, queueSize: 4 });
  // One square region over the whole frame (past its edges is black), so the model sees true proportions.
  const side = Math.max(W, H);
  const region = pixelBox((W - side) / 2, (H - side) / 2, (W + side) / 2, (H + side) / 2);
  const facts: (AnalyticsFact & { frame: number })[] = [];
  const analyticsUs: number[] = [];
  const t0 = 1_700_000_000_000;
  for (const { f, i } of picked) {
    const ts = t0 + Math.round((i * 1000) / gt.fps);
    const dets = await detector.detect({ cameraId: 'bgslib', frame: f, regions: [region] });
    if (dets === 'dropped') throw new Error('detector dropped a frame');
    const step = tracker.update(dets, ts);
    const tracks = tracksAt(tracker, ts, mode, W, H);
    const t = process.hrtime.bigint();
    const out = analytics.update({ cameraId: 'bgslib', ts, frameW: W, frameH: H, tracks, ended: step.removed });
    analyticsUs.push(Number(process.hrtime.bigint() - t) / 1e3);
    facts.push(...out.map((x) => ({ ...x, frame: i })));
  }
  await detector.close();
  const crossings = facts.flatMap((x) => (x.kind === 'crossing' ? [x] : []));
  const motor = crossings.filter((c) => MOTOR_LABELS.has(c.label));
  const got = { ab: motor.filter((c) => c.direction === 'ab').length, ba: motor.filter((c) => c.direction === 'ba').length };
  // Which hand-counted crossings have an agent crossing of the same direction within 12 frames (greedy, one-to-one).
  const unused = [...motor];
  let matched = 0;
  const missed: string[] = [];
  for (const g of gt.crossings.filter((c) => c.label !== 'bicycle')) {
    const k = unused.findIndex((c) => c.direction === g.direction && Math.abs(c.frame - g.frame) <= 12);
    if (k >= 0) {
      unused.splice(k, 1);
      matched++;
    } else missed.push(`${g.frame}:${g.direction}:${g.label}`);
  }
  const total = got.ab + got.ba;
  const truth = gt.totals.ab + gt.totals.ba;
  return {
    mode,
    detectFps,
    framesDetected: picked.length,
    handCount: gt.totals,
    agentCount: got,
    totalErrorPct: Math.round(((total - truth) / truth) * 1000) / 10,
    matchedWithin12Frames: matched,
    missedHandCrossings: missed,
    unmatchedAgentCrossings: unused.map((c) => `${c.frame}:${c.direction}:${c.label}`),
    otherLabelCrossings: crossings.filter((c) => !MOTOR_LABELS.has(c.label)).map((c) => `${c.frame}:${c.direction}:${c.label}`),
    analyticsUsP50: percentile(analyticsUs, 50, 3),
  };
}

export async function run(detectFps = 12.5): Promise<Record<string, unknown>> {
  const cost = benchCost(2000);
  process.stdout.write(`analytics update with 50 tracks, 2 lines, 2 zones: ${cost.usP50} µs p50, ${cost.usP95} µs p95\n`);
  const counts: Record<string, unknown>[] = [];
  for (const mode of ['reported', 'seen'] as const) {
    const c = await lineCount(detectFps, mode);
    process.stdout.write(`bgslib_video02 line count at ${detectFps} fps, ${mode} tracks: agent ${JSON.stringify(c.agentCount)} vs hand ab ${(c.handCount as LineGroundTruth['totals']).ab} / ba ${(c.handCount as LineGroundTruth['totals']).ba} (${c.totalErrorPct} % total)\n`);
    counts.push(c);
  }
  return { ...cost, counts };
}

if (require.main === module) runStandalone('analytics', () => run(process.argv[2] ? Number(process.argv[2]) : undefined));
