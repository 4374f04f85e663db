/**
 * How many cameras the box's detector can carry in busy scenes, from one measured inference time:
 * the figure `edge-agent diag`, the status page and health show a technician (docs/diagnostics.md,
 * "Capacity"). An estimate on purpose: it needs no footage, only the model, the box and the config.
 */
import { pixelBox } from './coords.js';
import { planRegions } from './regions.js';
import type { PixelBox } from './types.js';

/**
 * Share of the detector's time busy scenes may take: the rest absorbs bursts, tracked objects'
 * re-checks and the box's other work (issue 14's goal: detector busy at most half the time).
 */
export const DETECTOR_BUSY_SHARE = 0.5;

export const CAPACITY_FORMULA = 'floor(0.5 * 1000 / (inferenceMs * regionsPerFrameBusy) / detect.fps)';

/**
 * Detector regions per frame in a busy scene: small objects spread evenly over the whole detect
 * frame (boxes a tenth of the model's side, at most half a side apart, reaching every edge), as
 * the detection stage's own region planner (regions.ts) groups them. A model that is not square sees
 * the whole frame in one region, busy or not.
 */
export function busyRegionsPerFrame(frameW: number, frameH: number, model: { width: number; height: number }): number {
  const modelSide = Math.max(model.width, model.height);
  const size = Math.max(4, Math.round(modelSide / 10));
  const centres = (extent: number): number[] => {
    const n = Math.max(2, Math.ceil((extent - size) / (modelSide / 2)) + 1);
    return Array.from({ length: n }, (_, i) => size / 2 + ((extent - size) * i) / (n - 1));
  };
  const boxes: PixelBox[] = [];
  for (const y of centres(frameH)) for (const x of centres(frameW)) boxes.push(pixelBox(x - size / 2, y - size / 2, x + size / 2, y + size / 2));
  return planRegions(boxes, frameW, frameH, model).length;
}

/** Cameras of this detect fps and busy-scene regions the detector carries within DETECTOR_BUSY_SHARE. */
export function camerasCarried(inferenceMs: number, regionsPerFrameBusy: number, detectFps: number): number {
  return Math.floor((DETECTOR_BUSY_SHARE * 1000) / (inferenceMs * regionsPerFrameBusy) / detectFps);
}
