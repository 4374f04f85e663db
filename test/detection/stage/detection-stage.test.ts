import assert from 'node:assert/strict';
import path from 'node:path';
import jpeg from 'jpeg-js';
import pino from 'pino';
import { validateConfig } from '../../../agent/config/validate.js';
import type { AgentConfig } from '../../../agent/config/schema/index.js';
import { TypedBus } from '../../../agent/core/bus.js';
import type { AgentEvents } from '../../../agent/core/events.js';
import { createLogger } from '../../../agent/core/logger.js';
import { DetectionStage } from '../../../agent/detection/detection-stage.js';
import { DetectorService, type DetectorStats } from '../../../agent/detection/detector/index.js';
import type { ObjectEvent, Snapshot } from '../../../agent/core/object-event.js';
import type { VideoFrame } from '../../../agent/ingest/types.js';
import { REPO_ROOT } from '../../support/tmp.js';
import { waitFor } from '../../support/wait.js';
import { clipFrames, PEDESTRIANS, VEHICLES, type Clip } from './clip.js';

const logger = createLogger('warn', 'detection-stage-test');
/** Motion usable from the third frame: for tests that need detector work early, not a realistic background. */
const QUICK_CALIBRATION = { calibrationFrames: 1, maxCalibrationFrames: 2 };

function configFor(clip: Clip, camera: Record<string, unknown> = {}, motion: Record<string, unknown> = {}): AgentConfig {
  const r = validateConfig({
    mqtt: { url: 'mqtt://127.0.0.1:1883' },
    cameras: [{ id: 'street', source: { kind: 'test' }, detect: { width: clip.width, height: clip.height, fps: 5 }, ...camera }],
    detection: { tracking: { minHits: 3, maxDisappearedSeconds: 2 }, motion },
  });
  if (!r.ok) throw new Error(JSON.stringify(r.problems));
  return r.config;
}

interface Run {
  stage: DetectionStage<DetectorStats>;
  events: ObjectEvent[];
  snapshots: Snapshot[];
}

function startStage(config: AgentConfig, detector: DetectorService, now?: () => number): Run {
  const bus = new TypedBus<AgentEvents>((event, err) => {
    throw new Error(`listener of ${event} failed: ${String(err)}`);
  });
  const run: Run = { stage: new DetectionStage({ config, bus, detector, logger, now }), events: [], snapshots: [] };
  bus.on('detection.event', (ev) => run.events.push(ev));
  bus.on('detection.snapshot', (s) => run.snapshots.push(s));
  return run;
}

/** Feeds frames one after another, each waiting for its detection (paced by the real detector). */
async function feed(stage: DetectionStage<DetectorStats>, frames: VideoFrame[]): Promise<void> {
  for (const f of frames) await stage.handle(f);
}

/** Every event is well formed; each object's events go start, updates, end — ts never going back. */
function assertWellFormed(events: ObjectEvent[], tracked: string[]): Map<string, ObjectEvent[]> {
  const byObject = new Map<string, ObjectEvent[]>();
  for (const e of events) {
    assert.ok(['start', 'update', 'end'].includes(e.type));
    assert.equal(e.camera, 'street');
    assert.match(e.objectId, /^street-[0-9a-z]+-[0-9a-z]+$/);
    assert.ok(tracked.includes(e.label), `label ${e.label} is tracked`);
    assert.ok(e.score > 0 && e.score <= 1 && e.topScore >= e.score - 1e-9 && e.topScore <= 1);
    assert.equal(e.box.length, 4);
    assert.ok(e.box.every((v) => v >= 0 && v <= 1) && e.box[0] < e.box[2] && e.box[1] < e.box[3], `box ${e.box}`);
    assert.ok(Array.isArray(e.zones));
    assert.ok(Number.isFinite(e.startTs) && e.ts >= e.startTs);
    assert.equal(e.endTs !== undefined, e.type === 'end');
    const list = byObject.get(e.objectId) ?? [];
    list.push(e);
    byObject.set(e.objectId, list);
  }
  for (const [id, list] of byObject) {
    assert.equal(list[0].type, 'start', `${id} starts with start`);
    assert.equal(list.at(-1)?.type, 'end', `${id} ends with end`);
    assert.equal(list.filter((e) => e.type === 'start').length, 1);
    assert.equal(list.filter((e) => e.type === 'end').length, 1);
    for (let i = 1; i < list.length; i++) assert.ok(list[i].ts >= list[i - 1].ts, `${id} events in time order`);
    const end = list.at(-1) as ObjectEvent;
    assert.ok((end.endTs as number) >= end.startTs && (end.endTs as number) <= end.ts);
    assert.ok(list.every((e) => e.startTs === list[0].startTs));
  }
  return byObject;
}

function assertSnapshots(snapshots: Snapshot[], events: ObjectEvent[], clip: Clip): void {
  const ended = events.filter((e) => e.type === 'end');
  assert.deepEqual(snapshots.map((s) => s.objectId).sort(), ended.map((e) => e.objectId).sort(), 'one snapshot per ended event');
  for (const s of snapshots) {
    const ev = ended.find((e) => e.objectId === s.objectId) as ObjectEvent;
    assert.ok(s.ts >= ev.startTs && s.ts <= (ev.endTs as number), 'the snapshot frame is within the event');
    const img = jpeg.decode(s.jpeg, { useTArray: true });
    assert.equal(img.width, clip.width);
    assert.equal(img.height, clip.height);
  }
}

describe('DetectionStage on real street clips (real motion, real ONNX detector)', function () {
  this.timeout(300000);
  let detector: DetectorService;

  before(async () => {
    detector = await DetectorService.load({ manifestPath: path.join(REPO_ROOT, 'models/centernet.manifest.json'), threads: 2, queueSize: 32 });
  });
  after(async () => {
    await detector?.close();
  });

  it('turns the vehicle clip into car events with zones and snapshots; update() removing the camera ends them', async () => {
    // The lower half of the frame is the near lane where cars drive past the camera.
    const config = configFor(VEHICLES, { zones: [{ name: 'near_lane', polygon: [[0, 0.55], [1, 0.55], [1, 1], [0, 1]] }] });
    const frames = await clipFrames(VEHICLES, 'street', 5, Date.now());
    const run = startStage(config, detector);
    await feed(run.stage, frames);

    const stats = run.stage.stats();
    const cam = stats.cameras.street;
    assert.equal(cam.skipped, 0, 'frames fed one at a time are never skipped');
    assert.equal(cam.processed, frames.length);
    assert.ok(cam.detectFps > 0, `processed frames are counted in detectFps: ${JSON.stringify(cam)}`);
    assert.ok(stats.detector.inferences > 0);
    assert.ok(cam.motionPercent >= 0 && cam.motionPercent <= 100);

    const starts = run.events.filter((e) => e.type === 'start');
    assert.ok(starts.some((e) => e.label === 'car'), `car events expected, got ${run.events.map((e) => `${e.type}:${e.label}`).join(' ')}`);
    assert.ok(run.events.some((e) => e.label === 'car' && e.zones.includes('near_lane')), 'a car drove through the near lane');

    // Provisioning that leaves the camera's detection settings alone keeps its objects...
    const open = run.events.length;
    run.stage.update(structuredClone(config));
    assert.equal(run.events.length, open, 'an unchanged camera keeps its tracks');
    // ...and removing the camera ends its open events now.
    run.stage.update({ ...config, cameras: [] });
    const byObject = assertWellFormed(run.events, config.detection.labels);
    assert.equal(byObject.size, starts.length);
    const ended = run.events.filter((e) => e.type === 'end').length;
    await waitFor(() => run.snapshots.length >= ended, { timeoutMs: 120000, what: 'a snapshot per ended event (encoded in the worker)' });
    assertSnapshots(run.snapshots, run.events, VEHICLES);
    assert.equal(run.stage.latest('street'), undefined, 'a removed camera has nothing to show');
    await run.stage.stop();
  });

  it('turns the pedestrian clip into person events, and shows the latest boxes and snapshot', async () => {
    // The plaza is never quiet, so motion would calibrate for most of this 8 s clip: cap it.
    const config = configFor(PEDESTRIANS, {}, { maxCalibrationFrames: 5 });
    const frames = await clipFrames(PEDESTRIANS, 'street', 5, Date.now());
    const run = startStage(config, detector);
    await feed(run.stage, frames);
    const live = run.stage.latest('street');
    assert.ok(live && live.ts === frames.at(-1)?.ts);
    assert.ok(live.boxes.every((b) => b.label === 'person' && b.box.every((v) => v >= 0 && v <= 1)));
    // The camera now sends nothing (stalled): the expiry timer ends every object on its own.
    const started = new Set(run.events.filter((e) => e.type === 'start').map((e) => e.objectId));
    const endedAll = (): boolean => [...started].every((id) => run.events.some((e) => e.type === 'end' && e.objectId === id));
    await waitFor(endedAll, { timeoutMs: 30000, what: 'every object to end after the frames stopped' });
    await waitFor(() => run.stage.latest('street')?.snapshot, { timeoutMs: 120000, what: 'the latest snapshot for the status page' });
    await run.stage.stop(); // resolves once the snapshots are out

    const starts = run.events.filter((e) => e.type === 'start');
    assert.ok(starts.filter((e) => e.label === 'person').length >= 2, `person events expected, got ${run.events.map((e) => `${e.type}:${e.label}`).join(' ')}`);
    assertWellFormed(run.events, config.detection.labels);
    assertSnapshots(run.snapshots, run.events, PEDESTRIANS);
  });

  it('looks at the whole frame while motion calibrates: people there when the camera starts are reported at once', async () => {
    const config = configFor(PEDESTRIANS, {}, { calibrationFrames: 10 }); // no motion boxes for the first 10 frames at least
    const frames = (await clipFrames(PEDESTRIANS, 'street', 5, Date.now())).slice(0, 5);
    const run = startStage(config, detector);
    const before = detector.stats().inferences;
    await feed(run.stage, frames);
    assert.equal(detector.stats().inferences - before, frames.length, 'one whole-frame inference per calibrating frame');
    const people = run.events.filter((e) => e.type === 'start' && e.label === 'person');
    assert.ok(people.length >= 2, `people reported during calibration, got ${run.events.map((e) => `${e.type}:${e.label}`).join(' ')}`);
    await run.stage.stop();
  });

  it('while a frame is in detection keeps only the newest waiting frame, skipping (and counting) the older ones', async () => {
    const config = configFor(VEHICLES, {}, QUICK_CALIBRATION);
    const bus = new TypedBus<AgentEvents>();
    const stage = new DetectionStage({ config, bus, detector, logger });
    const frames = await clipFrames(VEHICLES, 'street', 5, Date.now());
    await feed(stage, frames.slice(0, 4)); // past motion calibration, cars moving
    const before = detector.stats().inferences;
    for (const f of frames.slice(4, 10)) bus.emit('camera.frame', f); // a burst, as from a stalled then flushed pipeline
    await waitFor(() => stage.stats().cameras.street.processed === 6, { what: 'the first and the last frame of the burst to be processed' });
    const cam = stage.stats().cameras.street;
    assert.equal(cam.skipped, 4, 'the four frames in between were superseded, never queued');
    assert.ok(detector.stats().inferences > before, 'the burst frame went through the real detector');
    await stage.stop();
  });

  it('counts a frame as skipped when the shared detector drops its job', async () => {
    // A detector with room for one waiting job, shared by three cameras whose frames arrive together.
    const small = await DetectorService.load({ manifestPath: path.join(REPO_ROOT, 'models/centernet.manifest.json'), threads: 1, queueSize: 1 });
    try {
      const ids = ['north', 'south', 'east'];
      const base = configFor(VEHICLES, {}, QUICK_CALIBRATION);
      const config: AgentConfig = { ...base, cameras: ids.map((id) => ({ ...base.cameras[0], id })) };
      const bus = new TypedBus<AgentEvents>();
      const stage = new DetectionStage({ config, bus, detector: small, logger });
      const clips = await Promise.all(ids.map((id) => clipFrames(VEHICLES, id, 5, Date.now())));
      for (const frames of clips) await feed(stage, frames.slice(0, 3)); // calibrated (the whole frames detected meanwhile)
      const processedBefore = ids.map((id) => stage.stats().cameras[id].processed);
      const outcomes = await Promise.all(clips.map((frames) => stage.handle(frames[3])));
      const stats = stage.stats();
      assert.ok(stats.detector.dropped >= 1, `the detector dropped a job (${JSON.stringify(stats.detector)})`);
      const skipped = ids.filter((id) => stats.cameras[id].skipped > 0);
      assert.ok(skipped.length >= 1, 'the camera whose frame was dropped counts a skipped frame');
      ids.forEach((id, i) => {
        assert.equal(outcomes[i], stats.cameras[id].skipped > 0 ? 'skipped' : 'processed');
        assert.equal(stats.cameras[id].processed, processedBefore[i] + (outcomes[i] === 'processed' ? 1 : 0));
      });
      assert.ok(outcomes.includes('processed'), 'the others went through');
      await stage.stop();
    } finally {
      await small.close();
    }
  });

  it('detects every frame that comes unevenly at the detect rate, and holds a faster camera to detect.fps (counting the rest)', async () => {
    const t0 = Date.parse('2026-06-01T12:00:00Z');
    const source = (await clipFrames(VEHICLES, 'street', 5, t0)).slice(0, 20);
    // 5 fps out of a 12.5 fps camera: gaps of 160 and 240 ms, plus 30 ms of decode/IPC jitter.
    let ts = t0;
    const uneven = source.slice(0, 12).map((f, i) => ({ ...f, ts: (ts += i === 0 ? 0 : (i % 2 ? 160 : 240) + (i % 3 === 0 ? -30 : 30)) }));
    const even = startStage(configFor(VEHICLES), detector);
    const outcomes = [];
    for (const f of uneven) outcomes.push(await even.stage.handle(f));
    assert.ok(!outcomes.includes('ignored'), `no frame at the detect rate is ignored: ${outcomes.join(',')}`);
    assert.equal(even.stage.stats().cameras.street.overRate, 0);
    await even.stage.stop();

    // The same camera delivering 10 fps (ingest misconfigured): about every other frame is detected.
    const fast = startStage(configFor(VEHICLES), detector);
    const tenFps = source.map((f, i) => ({ ...f, ts: t0 + i * 100 }));
    for (const f of tenFps) await fast.stage.handle(f);
    const stats = fast.stage.stats().cameras.street;
    assert.ok(stats.processed + stats.skipped >= 10 && stats.processed + stats.skipped <= 11, `5 fps of 10 detected: ${JSON.stringify(stats)}`);
    assert.equal(stats.overRate, 20 - stats.processed - stats.skipped, 'the rest is counted as over the rate');
    await fast.stage.stop();
  });

  it('does nothing outside the detect schedule or for a camera with detection off', async () => {
    const noon = new Date(2026, 5, 1, 12, 0).getTime();
    const frames = (await clipFrames(VEHICLES, 'street', 5, noon)).slice(0, 10);
    const before = detector.stats().inferences;

    const night = startStage(configFor(VEHICLES, { detect: { width: 640, height: 352, fps: 5, schedule: { from: '22:00', to: '06:00' } } }), detector, () => noon);
    for (const f of frames) assert.equal(await night.stage.handle(f), 'ignored');
    assert.equal(night.stage.stats().cameras.street.processed, 0);
    assert.equal(night.stage.stats().cameras.street.scheduled, false);
    await night.stage.stop();

    const off = startStage(configFor(VEHICLES, { detect: { enabled: false } }), detector);
    for (const f of frames) assert.equal(await off.stage.handle(f), 'ignored');
    assert.deepEqual(off.stage.stats().cameras, {});
    await off.stage.stop();
    assert.equal(detector.stats().inferences, before);
    assert.deepEqual([...night.events, ...off.events], []);
  });

  it('ends open events when the detect schedule window closes', async () => {
    let clock = new Date(2026, 5, 1, 17, 59).getTime();
    const base = configFor(VEHICLES, { detect: { width: 640, height: 352, fps: 5, schedule: { from: '08:00', to: '18:00' } } }, QUICK_CALIBRATION);
    const config: AgentConfig = { ...base, detection: { ...base.detection, tracking: { ...base.detection.tracking, minHits: 1, maxDisappearedSeconds: 60 } } };
    const run = startStage(config, detector, () => clock);
    const frames = await clipFrames(VEHICLES, 'street', 5, clock);
    await feed(run.stage, frames.slice(0, 6));
    const started = run.events.filter((e) => e.type === 'start').map((e) => e.objectId);
    assert.ok(started.length > 0, 'objects were reported inside the window');
    assert.equal(run.events.filter((e) => e.type === 'end').length, 0, 'nothing ends by itself within a minute');
    clock = new Date(2026, 5, 1, 18, 0).getTime();
    assert.equal(await run.stage.handle(frames[6]), 'ignored');
    const ended = run.events.filter((e) => e.type === 'end').map((e) => e.objectId);
    assert.deepEqual(ended.sort(), started.sort(), 'every open event ended at 18:00');
    assert.equal(run.stage.stats().cameras.street.scheduled, false);
    await run.stage.stop();
  });

  it('warns (with a code) about tracked labels the model never produces', async () => {
    const lines: string[] = [];
    const capture = pino({ level: 'warn' }, { write: (line: string) => void lines.push(line) });
    const config = configFor(VEHICLES, { objects: { track: ['person', 'unicorn'] } });
    const stage = new DetectionStage({ config, bus: new TypedBus<AgentEvents>(), detector, logger: capture });
    await stage.stop();
    const warning = lines.map((l) => JSON.parse(l) as { code?: string; labels?: string[]; camera?: string; remedy?: string }).find((l) => l.code === 'DETECTION_UNKNOWN_LABEL');
    assert.deepEqual(warning && { camera: warning.camera, labels: warning.labels }, { camera: 'street', labels: ['unicorn'] });
    assert.match(warning?.remedy ?? '', /person.*detection\.model.*centernet-512x288\.manifest\.json/);
  });
});
