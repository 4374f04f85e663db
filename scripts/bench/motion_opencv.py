#!/usr/bin/python3
"""OpenCV twin of agent/detection/motion (same steps, same parameters) for scripts/bench/motion.ts.

Usage: /usr/bin/python3 motion_opencv.py FRAMES.i420 WIDTH HEIGHT PASSES CONFIG_JSON
Reads tightly packed I420 frames, runs the detector over them PASSES times (the first pass warms
up and is not timed; each pass starts a fresh detector) and prints one JSON line: ms per frame,
and per frame of the last pass the number of boxes and the motion percent.
"""
import json
import math
import sys
import time

import cv2
import numpy as np

QUIET_FRACTION = 0.05
QUIET_MAX_BOXES = 4
MAX_EXPOSURE_GAIN = 2.0
SWAY_MEMORY_FRAMES = 100


def gaussian_taps(radius):
    f = np.exp(-((np.arange(2 * radius + 1) - radius) ** 2) / 2.0)
    taps = np.round(f / f.sum() * 256).astype(np.int32)
    taps[radius] += 256 - taps.sum()
    return (taps / 256.0).astype(np.float32)


def percentile(cum, n, q):
    k = min(n - 1, max(0, round(q * (n - 1))))
    return int(np.searchsorted(cum, k, side='right'))


class Motion:
    def __init__(self, cfg, w, h):
        self.cfg = cfg
        self.gh = min(h, cfg['frameHeight'])
        self.gw = max(1, min(w, round(w * self.gh / h)))
        self.kernel = gaussian_taps(cfg['blurRadius'])
        n = cfg['dilateIterations']
        self.dilate_kernel = np.ones((2 * n + 1, 2 * n + 1), np.uint8)
        self.lows = np.zeros(cfg['contrastFrames'])
        self.highs = np.zeros(cfg['contrastFrames'])
        self.next = 0
        self.seeded_contrast = False
        self.low, self.scale = 0.0, 1.0
        self.bg = None
        self.age = np.zeros((self.gh, self.gw), np.uint16)
        self.sway_left = np.zeros((self.gh, self.gw), np.int32)
        r = cfg.get('swayRadius', 0)
        self.sway_kernel = np.ones((2 * r + 1, 2 * r + 1), np.uint8)
        self.calibrating = True
        self.calibration_count = 0
        self.npx = self.gw * self.gh

    def contrast_update(self, low, high, reset):
        if not self.cfg['improveContrast']:
            return
        if low < high:
            if reset or not self.seeded_contrast:
                self.lows[:] = low
                self.highs[:] = high
                self.seeded_contrast = True
            else:
                self.lows[self.next] = low
                self.highs[self.next] = high
                self.next = (self.next + 1) % len(self.lows)
        if not self.seeded_contrast:
            return
        lo, hi = self.lows.mean(), self.highs.mean()
        r = self.cfg['minContrastRange']
        if hi - lo < r:
            mid = (lo + hi) / 2
            lo, hi = mid - r / 2, mid + r / 2
        self.low, self.scale = lo, 255.0 / (hi - lo)

    def prepare(self, blurred, cum, reset):
        gain, offset = 1.0, 0.0
        if not reset and self.cfg['compensateExposure']:
            bcum = np.cumsum(cv2.calcHist([cv2.convertScaleAbs(self.bg)], [0], None, [256], [0, 256]).ravel())
            f25, f75 = percentile(cum, self.npx, 0.25), percentile(cum, self.npx, 0.75)
            b25, b75 = percentile(bcum, self.npx, 0.25), percentile(bcum, self.npx, 0.75)
            if f75 > f25 and b75 > b25:
                gain = min(MAX_EXPOSURE_GAIN, max(1 / MAX_EXPOSURE_GAIN, (b75 - b25) / (f75 - f25)))
            offset = (b25 + b75) / 2 - (f25 + f75) / 2 * gain
        self.contrast_update(percentile(cum, self.npx, 0.04) * gain + offset, percentile(cum, self.npx, 0.96) * gain + offset, reset)
        v = np.arange(256, dtype=np.float64)
        self.exposure_lut = np.clip(np.round(v * gain + offset), 0, 255).astype(np.uint8)
        self.stretch_lut = np.clip((v - self.low) * self.scale, 0, 255).astype(np.uint8)
        return cv2.LUT(blurred, self.exposure_lut)

    def reseed(self, current):
        self.bg = current.astype(np.float32)
        self.calibrating = True
        self.calibration_count = 0
        self.age[:] = 0
        self.calibration_stack = [current]

    def blend(self, current, alpha, hold):
        if hold == 0:
            cv2.accumulateWeighted(current, self.bg, alpha)
        else:
            mask = ((self.age == 0) | (self.age >= hold)).astype(np.uint8)
            cv2.accumulateWeighted(current, self.bg, alpha, mask=mask)

    def without_sway(self, changed, cur_s, bg_s):
        # A pixel known to sway, or differing blendAfterFrames frames in a row, that matches the
        # background within swayRadius is a creeping edge: not changed; its neighbourhood is remembered.
        r, t = self.cfg['swayRadius'], self.cfg['threshold']
        padded = cv2.copyMakeBorder(bg_s, r, r, r, r, cv2.BORDER_REPLICATE)
        near = np.zeros(changed.shape, bool)
        for dy in range(2 * r + 1):
            for dx in range(2 * r + 1):
                near |= cv2.absdiff(cur_s, padded[dy:dy + self.gh, dx:dx + self.gw]) <= t
        swaying = (changed == 1) & ((self.sway_left > 0) | (self.age >= self.cfg['blendAfterFrames'])) & near
        zone = cv2.dilate(swaying.astype(np.uint8), self.sway_kernel) == 1
        self.sway_left = np.where(zone, SWAY_MEMORY_FRAMES, np.maximum(self.sway_left - 1, 0))
        return np.where(swaying, 0, changed).astype(np.uint8)

    def detect(self, y):
        small = cv2.resize(y, (self.gw, self.gh), interpolation=cv2.INTER_AREA)
        blurred = cv2.sepFilter2D(small, -1, self.kernel, self.kernel, borderType=cv2.BORDER_REFLECT)
        cum = np.cumsum(cv2.calcHist([blurred], [0], None, [256], [0, 256]).ravel())
        if self.bg is None:
            self.reseed(self.prepare(blurred, cum, True))
            return 0, 0.0
        current = self.prepare(blurred, cum, False)
        cur_s = cv2.LUT(current, self.stretch_lut)
        bg_s = cv2.LUT(cv2.convertScaleAbs(self.bg), self.stretch_lut)
        changed = cv2.threshold(cv2.absdiff(cur_s, bg_s), self.cfg['threshold'], 1, cv2.THRESH_BINARY)[1]
        if self.cfg.get('swayRadius', 0) > 0:
            changed = self.without_sway(changed, cur_s, bg_s)
        self.age = np.where(changed == 1, np.minimum(self.age + 1, 65535), 0).astype(np.uint16)
        grown = cv2.dilate(changed, self.dilate_kernel)
        count, labels, stats, _ = cv2.connectedComponentsWithStats(grown, connectivity=8)
        core = np.bincount(labels.ravel(), weights=changed.ravel(), minlength=count)
        changed_px = int(core[1:].sum())
        pct = 100.0 * changed_px / self.npx
        if changed_px / self.npx > self.cfg['lightningThreshold']:
            self.reseed(self.prepare(blurred, cum, True))
            return 0, pct
        boxes = [tuple(stats[i, :4]) for i in range(1, count) if core[i] >= self.cfg['contourArea']]
        if self.calibrating:
            self.blend(current, self.cfg['calibrationAlpha'], 0)
            self.calibration_stack.append(current)
            self.calibration_count += 1
            quiet = changed_px / self.npx < QUIET_FRACTION and len(boxes) <= QUIET_MAX_BOXES
            if (quiet and self.calibration_count >= self.cfg['calibrationFrames']) or self.calibration_count >= self.cfg['maxCalibrationFrames']:
                stack = np.sort(np.stack(self.calibration_stack), axis=0)
                self.bg = stack[(len(self.calibration_stack) - 1) // 2].astype(np.float32)
                self.age[:] = 0
                self.calibrating = False
            return 0, pct
        self.blend(current, self.cfg['frameAlpha'], self.cfg['blendAfterFrames'])
        return len(boxes), pct


def main():
    path, w, h, passes, cfg = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), json.loads(sys.argv[5])
    cv2.setNumThreads(1)
    raw = np.fromfile(path, np.uint8)
    size = w * h + 2 * ((w + 1) // 2) * ((h + 1) // 2)
    lumas = [raw[i * size:i * size + w * h].reshape(h, w) for i in range(raw.size // size)]
    times = []
    per_frame = []
    for p in range(passes):
        motion = Motion(cfg, w, h)
        per_frame = []
        t0 = time.perf_counter()
        for y in lumas:
            per_frame.append(motion.detect(y))
        if p > 0:
            times.append((time.perf_counter() - t0) * 1000 / len(lumas))
    print(json.dumps({
        'msPerFrame': min(times) if times else math.nan,
        'msPerFrameMean': sum(times) / len(times) if times else math.nan,
        'frames': len(lumas),
        'boxes': [b for b, _ in per_frame],
        'motionPercent': [round(m, 2) for _, m in per_frame],
    }))


if __name__ == '__main__':
    main()
