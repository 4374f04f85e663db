import type { AgentConfig } from '../../config/schema/index.js';
import type { Polygon } from '../../config/schema/common.js';
import { AgentError } from '../../core/errors.js';
import type { VideoFrame } from '../../ingest/types.js';
import { pixelBox } from '../coords.js';
import type { PixelBox } from '../types.js';
import { AreaDownscaler } from './area-downscaler.js';
import { ConnectedRegions } from './connected-regions.js';
import { ContrastStretch } from './contrast-stretch.js';
import { Dilate } from './dilate.js';
import { GaussianBlur } from './gaussian-blur.js';
import { LumaHistogram } from './luma-histogram.js';
import { rasterizeMasks } from './mask-raster.js';
import { SwayMemory } from './sway-memory.js';
import { TemporalMedian } from './temporal-median.js';

export type MotionConfig = AgentConfig['detection']['motion'];

export interface MotionResult {
  /** Moving areas in detect-frame pixels, [x1, y1, x2, y2) (x2/y2 exclusive). */
  boxes: PixelBox[];
  /** Share of the frame (0..100) that differs from the background, small regions included. */
  motionPercent: number;
  /** The background is being (re)built: boxes are withheld until it is trustworthy. */
  calibrating: boolean;
}

/** Exposure compensation never scales contrast by more than this (or its inverse). */
const MAX_EXPOSURE_GAIN = 2;
/** Calibration ends once under this share of the unmasked frame differs... */
const QUIET_FRACTION = 0.05;
/** ...in at most this many regions (Frigate's rule). */
const QUIET_MAX_BOXES = 4;

/**
 * Frigate-style "improved" motion detector on the luma plane of the detect frame: area-downscale to
 * about frameHeight rows, blur, exposure compensation, zero the motion masks, contrast stretch,
 * difference against a running-average background, threshold, dilate, connected regions with at
 * least contourArea changed pixels. docs/motion.md explains each choice.
 *
 * Exposure compensation (our addition): camera auto-exposure re-levels the whole picture when a
 * bright car enters, over several frames — too slowly for the lightning check, too strongly for the
 * threshold (the real car-park clip darkens by 40 luma levels while a white car crosses). Each
 * frame is mapped linearly so its 25th and 75th luma percentiles land on the background's; those
 * barely move when an object covers part of the view.
 *
 * Background: seeded from the first frame and blended at calibrationAlpha while calibrating (that
 * running average only decides when the scene is quiet enough); calibration then ends with the
 * per-pixel median of the calibration frames (no ghost of the seed frame, no smear of what moved),
 * and from there it is blended at frameAlpha — but a pixel that differs joins only after
 * blendAfterFrames frames of continuous change (Frigate gates the whole frame on "any motion";
 * gating per pixel keeps a slow car from leaving a ghost trail, yet a parked car is still absorbed,
 * slowly).
 * When more than lightningThreshold of the unmasked frame changes at once (lights, IR switch,
 * auto-exposure) the background is re-seeded from that frame and the contrast history reset:
 * recalibration instead of a motion storm.
 *
 * Everything per frame runs on buffers allocated here; detect() allocates only the result boxes.
 */
export class MotionDetector {
  readonly gridW: number;
  readonly gridH: number;
  private readonly downscaler: AreaDownscaler;
  private readonly contrast: ContrastStretch;
  private readonly histogram = new LumaHistogram();
  private readonly backgroundHistogram = new LumaHistogram();
  private readonly exposureLut = new Uint8Array(256);
  private readonly stretchLut = new Uint8Array(256);
  private readonly blur: GaussianBlur;
  private readonly dilate: Dilate;
  private readonly regions: ConnectedRegions;
  private readonly masked: Uint8Array;
  /** The masks grown by the blur radius: changes are ignored here (blur spreads masked content). */
  private readonly ignored: Uint8Array;
  private readonly unmaskedCount: number;
  private readonly small: Uint8Array;
  private readonly blurred: Uint8Array;
  private readonly current: Uint8Array;
  private readonly background: Float32Array;
  /** The background through this frame's stretch: what the frame is compared with. */
  private readonly backgroundStretched: Uint8Array;
  private readonly changed: Uint8Array;
  private readonly grown: Uint8Array;
  /** Per grid pixel: consecutive frames it has differed from the background. */
  private readonly changedFor: Uint16Array;
  /** Where the view sways (swayRadius > 0). */
  private readonly sway?: SwayMemory;
  private readonly calibrationFrames: TemporalMedian;
  private seeded = false;
  private calibrating = true;
  private calibrationCount = 0;

  constructor(
    private readonly cfg: MotionConfig,
    readonly width: number,
    readonly height: number,
    masks: Polygon[],
  ) {
    if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
      throw new AgentError('MOTION_BAD_SIZE', `motion detector needs a positive integer frame size, got ${width}x${height}`, 'check cameras[].detect.width/height');
    }
    this.gridH = Math.min(height, cfg.frameHeight);
    this.gridW = Math.max(1, Math.min(width, Math.round((width * this.gridH) / height)));
    const n = this.gridW * this.gridH;
    this.downscaler = new AreaDownscaler(width, height, this.gridW, this.gridH);
    this.contrast = new ContrastStretch(cfg.improveContrast, cfg.contrastFrames, cfg.minContrastRange);
    this.blur = new GaussianBlur(this.gridW, this.gridH, cfg.blurRadius);
    this.dilate = new Dilate(this.gridW, this.gridH, cfg.dilateIterations);
    this.regions = new ConnectedRegions(this.gridW, this.gridH);
    this.masked = rasterizeMasks(masks, this.gridW, this.gridH);
    this.ignored = new Uint8Array(n);
    new Dilate(this.gridW, this.gridH, cfg.blurRadius).apply(this.masked, this.ignored);
    let unmasked = 0;
    for (let i = 0; i < n; i++) if (this.ignored[i] === 0) unmasked++;
    this.unmaskedCount = unmasked;
    this.small = new Uint8Array(n);
    this.blurred = new Uint8Array(n);
    this.current = new Uint8Array(n);
    this.background = new Float32Array(n);
    this.backgroundStretched = new Uint8Array(n);
    this.changed = new Uint8Array(n);
    this.grown = new Uint8Array(n);
    this.changedFor = new Uint16Array(n);
    if (cfg.swayRadius > 0) this.sway = new SwayMemory(this.gridW, this.gridH, cfg.swayRadius);
    this.calibrationFrames = new TemporalMedian(n, Math.max(cfg.calibrationFrames, cfg.maxCalibrationFrames) + 1);
  }

  detect(frame: VideoFrame): MotionResult {
    if (frame.width !== this.width || frame.height !== this.height || frame.data.length < this.width * this.height) {
      throw new AgentError(
        'MOTION_FRAME_SIZE',
        `frame of camera ${frame.cameraId} is ${frame.width}x${frame.height} (${frame.data.length} bytes), motion detector expects ${this.width}x${this.height}`,
        'the detector must be rebuilt when the camera detect size changes',
      );
    }
    if (this.unmaskedCount === 0) return { boxes: [], motionPercent: 0, calibrating: false };
    this.downscaler.downscale(frame.data, this.small);
    this.blur.apply(this.small, this.blurred);
    this.histogram.fill(this.blurred, this.masked);
    if (!this.seeded) {
      this.prepare(true);
      this.reseed();
      this.seeded = true;
      return { boxes: [], motionPercent: 0, calibrating: true };
    }

    this.prepare(false);
    const changedPixels = this.findChanges();
    const motionPercent = (100 * changedPixels) / (this.gridW * this.gridH);
    if (changedPixels / this.unmaskedCount > this.cfg.lightningThreshold) {
      this.prepare(true);
      this.reseed();
      return { boxes: [], motionPercent, calibrating: true };
    }

    const boxes = this.collectBoxes();
    if (this.calibrating) {
      this.blend(this.cfg.calibrationAlpha, 0);
      this.calibrationFrames.add(this.current);
      this.calibrationCount++;
      const quiet = changedPixels / this.unmaskedCount < QUIET_FRACTION && boxes.length <= QUIET_MAX_BOXES;
      if ((quiet && this.calibrationCount >= this.cfg.calibrationFrames) || this.calibrationCount >= this.cfg.maxCalibrationFrames) {
        this.calibrationFrames.medianInto(this.background);
        this.changedFor.fill(0);
        this.calibrating = false;
      }
      return { boxes: [], motionPercent, calibrating: true };
    }

    this.blend(this.cfg.frameAlpha, this.cfg.blendAfterFrames);
    return { boxes, motionPercent, calibrating: false };
  }

  /**
   * Exposure mapping, mask and contrast stretch update: `blurred` -> `current` through one 256-entry
   * LUT. `reset` skips the exposure mapping and restarts the contrast history from this frame. The
   * background stays in exposure-mapped (unstretched) luma and the stretch is applied to both sides
   * of the difference: a stretch that drifts as bright objects come and go then only rescales
   * differences instead of creating them. (Blur runs first, on raw luma, so the percentiles of the
   * frame and of the background, itself built from blurred frames, compare like with like.)
   */
  private prepare(reset: boolean): void {
    const { blurred, current, masked, exposureLut, stretchLut, histogram, contrast } = this;
    let gain = 1;
    let offset = 0;
    if (!reset && this.cfg.compensateExposure) {
      this.backgroundHistogram.fillFloat(this.background, masked);
      const f25 = histogram.percentile(0.25);
      const f75 = histogram.percentile(0.75);
      const b25 = this.backgroundHistogram.percentile(0.25);
      const b75 = this.backgroundHistogram.percentile(0.75);
      if (f75 > f25 && b75 > b25) gain = Math.min(MAX_EXPOSURE_GAIN, Math.max(1 / MAX_EXPOSURE_GAIN, (b75 - b25) / (f75 - f25)));
      offset = (b25 + b75) / 2 - ((f25 + f75) / 2) * gain;
    }
    contrast.update(histogram.percentile(0.04) * gain + offset, histogram.percentile(0.96) * gain + offset, reset);
    for (let v = 0; v < 256; v++) {
      const e = Math.round(v * gain + offset);
      exposureLut[v] = e < 0 ? 0 : e > 255 ? 255 : e;
      stretchLut[v] = contrast.map(v);
    }
    for (let i = 0; i < blurred.length; i++) current[i] = masked[i] === 0 ? exposureLut[blurred[i]] : 0;
  }

  private reseed(): void {
    const { current, background } = this;
    for (let i = 0; i < current.length; i++) background[i] = current[i];
    this.calibrating = true;
    this.calibrationCount = 0;
    this.changedFor.fill(0);
    this.calibrationFrames.reset();
    this.calibrationFrames.add(current);
  }

  /**
   * Thresholded difference (outside the masks), dilated, labelled; returns the changed (undilated)
   * pixel count. Where the view sways (SwayMemory) a difference the background shows a pixel or two
   * away is not a change.
   */
  private findChanges(): number {
    const { current, background, backgroundStretched, ignored, changed, changedFor, stretchLut, sway } = this;
    const t = this.cfg.threshold;
    const hold = this.cfg.blendAfterFrames;
    sway?.beginFrame();
    for (let i = 0; i < current.length; i++) backgroundStretched[i] = stretchLut[(background[i] + 0.5) | 0];
    for (let i = 0; i < current.length; i++) {
      const c = stretchLut[current[i]];
      const d = c - backgroundStretched[i];
      let differs = (d > t || d < -t) && ignored[i] === 0;
      if (differs && sway && (sway.known(i) || changedFor[i] >= hold) && sway.matchesNearby(backgroundStretched, i, c, t)) {
        differs = false;
        sway.mark(i);
      }
      if (differs) {
        changed[i] = 1;
        if (changedFor[i] < 65535) changedFor[i]++;
      } else {
        changed[i] = 0;
        changedFor[i] = 0;
      }
    }
    sway?.endFrame();
    this.dilate.apply(changed, this.grown);
    this.regions.find(this.grown, changed);
    let total = 0;
    for (let r = 0; r < this.regions.count; r++) total += this.regions.coreAreas[r];
    return total;
  }

  /** Regions with at least contourArea changed grid pixels, mapped back to detect-frame pixels. */
  private collectBoxes(): PixelBox[] {
    const { regions } = this;
    const { xEdges, yEdges } = this.downscaler;
    const boxes: PixelBox[] = [];
    for (let r = 0; r < regions.count; r++) {
      if (regions.coreAreas[r] < this.cfg.contourArea) continue;
      const b = r * 4;
      boxes.push(pixelBox(xEdges[regions.boxes[b]], yEdges[regions.boxes[b + 1]], xEdges[regions.boxes[b + 2] + 1], yEdges[regions.boxes[b + 3] + 1]));
    }
    return boxes;
  }

  /**
   * Running average; with `holdFrames` > 0 a pixel that currently differs joins only once it has
   * differed for holdFrames frames in a row, so passing objects never smear into the background
   * while a parked car or a moved bin does, slowly.
   */
  private blend(alpha: number, holdFrames: number): void {
    const { current, background, changedFor } = this;
    const keep = 1 - alpha;
    for (let i = 0; i < current.length; i++) {
      const age = changedFor[i];
      if (age === 0 || age >= holdFrames) background[i] = background[i] * keep + current[i] * alpha;
    }
  }
}
