/**
 * The `detector.capacity` step and the report's `capacity` section: the measured inference time
 * turned into how many cameras the box carries in busy scenes (agent/detection/capacity.ts).
 */
import path from 'node:path';
import type { AgentConfig } from '../../config/schema/index.js';
import { busyRegionsPerFrame, CAPACITY_FORMULA, camerasCarried, DETECTOR_BUSY_SHARE } from '../../detection/capacity.js';
import type { LoadedManifest } from '../../detection/detector/manifest.js';
import { pass, warn, type Outcome } from '../check-runner.js';
import type { DetectorCapacity, MeasuredCapacity } from '../report-schema.js';

/** Without a detecting camera the estimate assumes the config's defaults. */
const DEFAULT_CAMERA = { id: '(default camera)', width: 640, height: 360, fps: 5 };

export function detectorCapacity(config: AgentConfig, manifest: LoadedManifest, inferenceMs: number): DetectorCapacity {
  const configured = config.cameras.filter((c) => c.enabled && c.detect.enabled).map((c) => ({ id: c.id, ...c.detect }));
  const cameras = (configured.length ? configured : [DEFAULT_CAMERA]).map((c) => {
    const regionsPerFrameBusy = busyRegionsPerFrame(c.width, c.height, manifest.input);
    return { id: c.id, detectFps: c.fps, detectSize: `${c.width}x${c.height}`, regionsPerFrameBusy, camerasCarried: camerasCarried(inferenceMs, regionsPerFrameBusy, c.fps) };
  });
  const demand = (c: (typeof cameras)[number]): number => inferenceMs * c.regionsPerFrameBusy * c.detectFps; // detector ms per second
  const worst = cameras.reduce((a, b) => (demand(b) > demand(a) ? b : a));
  const busyMsPerS = configured.length ? cameras.reduce((sum, c) => sum + demand(c), 0) : 0;
  return {
    model: {
      manifest: path.basename(manifest.manifestPath),
      file: path.basename(manifest.modelPath),
      ...(manifest.description ? { description: manifest.description } : {}),
      input: `${manifest.input.width}x${manifest.input.height}`,
    },
    inferenceMs,
    threads: config.detection.threads,
    formula: CAPACITY_FORMULA,
    camerasCarried: worst.camerasCarried,
    basis: `${worst.detectSize} at ${worst.detectFps} fps, ${worst.regionsPerFrameBusy} region(s) per busy frame${configured.length ? ` (camera ${worst.id})` : ' (no detecting camera configured: the defaults)'}`,
    busyLoadPercent: Math.round(busyMsPerS / 10),
    cameras: configured.length ? cameras : [],
  };
}

export function capacityOutcome(c: DetectorCapacity): Outcome {
  const configured = c.cameras.length;
  // The description is in detector.model's detail already.
  const detail = `${c.model.file} (${c.model.input}) ${c.inferenceMs} ms per inference: ` +
    `about ${c.camerasCarried} camera(s) of ${c.basis} in busy scenes, keeping the detector at most ${DETECTOR_BUSY_SHARE * 100}% busy` +
    (configured ? `; the ${configured} configured camera(s) would keep it ${c.busyLoadPercent}% busy` : '');
  if (configured && c.busyLoadPercent > DETECTOR_BUSY_SHARE * 100) {
    return warn(c.camerasCarried, detail, 'in busy scenes frames will be skipped: lower detect.fps or the detect size, use fewer cameras per box, raise detection.threads on idle cores, or choose a smaller model variant (docs/detector.md)', 'cameras');
  }
  return pass(c.camerasCarried, detail, 'cameras');
}

/**
 * The estimate the agent shows after a diag run: the run's own, unless a run that started later has
 * already reported. Runs overlap (the status page starts one on every load, MQTT `diag` and the daily
 * self-test others), and the one that finishes last is not always the newest measurement.
 */
export function newestCapacity(current: MeasuredCapacity | undefined, run: { startedAt: string; capacity?: DetectorCapacity }): MeasuredCapacity | undefined {
  if (!run.capacity) return current;
  if (current && Date.parse(current.measuredAt) > Date.parse(run.startedAt)) return current;
  return { measuredAt: run.startedAt, ...run.capacity };
}
