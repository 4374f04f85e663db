import { Type } from '@sinclair/typebox';
import { ObjectFilter } from './cameras.js';

export const MotionSection = Type.Object(
  {
    frameHeight: Type.Integer({ minimum: 32, maximum: 720, default: 100, description: 'luma is area-downscaled to this height first (never upscaled); all motion sizes below are in these pixels' }),
    improveContrast: Type.Boolean({ default: true, description: 'stretch contrast between the running mean of the 4th/96th luma percentiles' }),
    minContrastRange: Type.Integer({ minimum: 1, maximum: 255, default: 64, description: 'the stretch never maps fewer luma levels than this to 0-255 (caps noise amplification in flat scenes)' }),
    contrastFrames: Type.Integer({ minimum: 1, maximum: 500, default: 50, description: 'frames the running contrast percentiles are averaged over' }),
    compensateExposure: Type.Boolean({ default: true, description: 'shift each frame\'s luma so its median matches the background (camera auto-exposure is not motion)' }),
    threshold: Type.Integer({ minimum: 1, maximum: 255, default: 30, description: 'difference from the background (0-255, after contrast stretch) that counts as motion' }),
    contourArea: Type.Integer({ minimum: 1, default: 10, description: 'smallest motion region: changed downscaled pixels inside one dilated region' }),
    frameAlpha: Type.Number({ minimum: 0, maximum: 1, default: 0.01, description: 'background running-average weight once calibrated' }),
    calibrationAlpha: Type.Number({ minimum: 0, maximum: 1, default: 0.2, description: 'background weight while calibrating' }),
    calibrationFrames: Type.Integer({ minimum: 1, default: 5, description: 'a (re)calibration lasts at least this many frames (no motion boxes meanwhile)' }),
    maxCalibrationFrames: Type.Integer({ minimum: 1, default: 15, description: 'calibration ends after this many frames even if the scene never gets quiet' }),
    blendAfterFrames: Type.Integer({ minimum: 1, default: 10, description: 'a pixel that differs from the background is blended in only after differing this many frames in a row (passing objects leave no ghost; parked ones are absorbed)' }),
    swayRadius: Type.Integer({ minimum: 0, maximum: 3, default: 2, description: 'where the view creeps (a pixel differing blendAfterFrames frames in a row that matches the background within this many downscaled pixels), that area is compared with the background around each pixel for 100 frames: a drifting edge is not motion; 0 = always pixel to pixel' }),
    blurRadius: Type.Integer({ minimum: 0, maximum: 5, default: 1, description: 'Gaussian blur (sigma 1) radius in downscaled pixels; 0 = none' }),
    dilateIterations: Type.Integer({ minimum: 0, maximum: 5, default: 2, description: '3x3 dilations joining the fragments of one moving object' }),
    lightningThreshold: Type.Number({ minimum: 0.1, maximum: 1, default: 0.8, description: 'fraction of the unmasked frame changing at once that means a lighting change (lights, IR, auto-exposure): recalibrate instead of reporting motion' }),
  },
  { additionalProperties: false, default: {} },
);

export const TrackingSection = Type.Object(
  {
    minHits: Type.Integer({ minimum: 1, default: 3, description: 'frames before a track is confirmed' }),
    maxDisappearedSeconds: Type.Number({ minimum: 0.1, default: 3, description: 'a track unseen this long ends' }),
    iouThreshold: Type.Number({ minimum: 0, maximum: 1, default: 0.2, description: 'overlap with a track\'s predicted box that matches a detection to it' }),
    scoreHistory: Type.Integer({ minimum: 1, default: 10, description: 'recent scores the median is taken over' }),
    updateIntervalSeconds: Type.Number({ minimum: 0, default: 5, description: 'at most one update event per track this often (besides zone/label changes)' }),
  },
  { additionalProperties: false, default: {} },
);

export const DetectionSection = Type.Object(
  {
    enabled: Type.Boolean({ default: true }),
    // Read when the detector loads: a change reloads it (in-process restart).
    model: Type.String({ default: 'models/centernet-512x288-road.manifest.json', description: 'model manifest; relative to the agent install dir (docs/detector.md: the variants and how to choose)', 'x-apply': 'restart' }),
    threads: Type.Integer({ minimum: 1, maximum: 16, default: 2, description: 'onnxruntime intra-op threads', 'x-apply': 'restart' }),
    queueSize: Type.Integer({ minimum: 1, maximum: 256, default: 8, description: 'pending detector jobs; the oldest is dropped (and counted) beyond this', 'x-apply': 'restart' }),
    labels: Type.Array(Type.String(), { default: ['person', 'bicycle', 'motorcycle', 'car', 'bus', 'truck'], description: 'labels tracked unless a camera says otherwise' }),
    filters: Type.Record(Type.String(), ObjectFilter, { default: {}, description: 'per-label defaults; cameras override' }),
    minScore: Type.Number({ minimum: 0, maximum: 1, default: 0.3, description: 'default per-detection minimum score' }),
    threshold: Type.Number({ minimum: 0, maximum: 1, default: 0.4, description: 'default median score a track needs' }),
    motion: MotionSection,
    tracking: TrackingSection,
  },
  { additionalProperties: false, default: {}, 'x-apply': 'live' },
);
