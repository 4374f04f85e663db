import { Type } from '@sinclair/typebox';
import { ObjectFilter } from './cameras.js';

export const MotionSection = Type.Object(
  {
    frameHeight: Type.Integer({ minimum: 32, maximum: 720, default: 100, description: 'luma is downscaled to this height first' }),
    improveContrast: Type.Boolean({ default: true, description: 'stretch contrast between running 4th/96th percentiles' }),
    threshold: Type.Integer({ minimum: 1, maximum: 255, default: 30, description: 'pixel difference that counts as motion' }),
    contourArea: Type.Integer({ minimum: 1, default: 10, description: 'smallest motion region, in downscaled pixels' }),
    frameAlpha: Type.Number({ minimum: 0, maximum: 1, default: 0.01, description: 'background running-average weight once calibrated' }),
    calibrationAlpha: Type.Number({ minimum: 0, maximum: 1, default: 0.2, description: 'weight while calibrating' }),
    calibrationFrames: Type.Integer({ minimum: 1, default: 30 }),
    blendAfterFrames: Type.Integer({ minimum: 1, default: 10, description: 'blend a moving area into the background only after this many frames of continuous motion' }),
    blurRadius: Type.Integer({ minimum: 0, maximum: 5, default: 1 }),
    dilateIterations: Type.Integer({ minimum: 0, maximum: 5, default: 2 }),
    lightningThreshold: Type.Number({ minimum: 0.1, maximum: 1, default: 0.8, description: 'fraction of changed pixels that means a lighting change: recalibrate' }),
  },
  { additionalProperties: false, default: {} },
);

export const TrackingSection = Type.Object(
  {
    minHits: Type.Integer({ minimum: 1, default: 3, description: 'frames before a track is confirmed' }),
    maxDisappearedSeconds: Type.Number({ minimum: 0.1, default: 3, description: 'a track unseen this long ends' }),
    iouThreshold: Type.Number({ minimum: 0, maximum: 1, default: 0.2 }),
    scoreHistory: Type.Integer({ minimum: 1, default: 10, description: 'recent scores the median is taken over' }),
    updateIntervalSeconds: Type.Number({ minimum: 0, default: 5, description: 'at most one update event per track this often (besides zone/label changes)' }),
  },
  { additionalProperties: false, default: {} },
);

export const DetectionSection = Type.Object(
  {
    enabled: Type.Boolean({ default: true }),
    model: Type.String({ default: 'models/centernet.manifest.json', description: 'model manifest; relative to the agent install dir' }),
    threads: Type.Integer({ minimum: 1, maximum: 16, default: 2, description: 'onnxruntime intra-op threads' }),
    queueSize: Type.Integer({ minimum: 1, maximum: 256, default: 8, description: 'pending detector jobs; the oldest is dropped (and counted) beyond this' }),
    labels: Type.Array(Type.String(), { default: ['person', 'bicycle', 'motorcycle', 'car', 'bus', 'truck'], description: 'labels tracked unless a camera says otherwise' }),
    filters: Type.Record(Type.String(), ObjectFilter, { default: {}, description: 'per-label defaults; cameras override' }),
    minScore: Type.Number({ minimum: 0, maximum: 1, default: 0.3, description: 'default per-detection minimum score' }),
    threshold: Type.Number({ minimum: 0, maximum: 1, default: 0.4, description: 'default median score a track needs' }),
    motion: MotionSection,
    tracking: TrackingSection,
  },
  { additionalProperties: false, default: {} },
);
