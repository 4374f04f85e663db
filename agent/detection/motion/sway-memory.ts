import { Dilate } from './dilate.js';

/** A pixel near one found swaying keeps the sway test this many frames (refreshed while it sways). */
export const SWAY_MEMORY_FRAMES = 100;

/**
 * Where the view creeps (a camera settling on its mount, a pole leaning in a steady wind, the slow pan
 * of intel_car-detection.mp4): a high-contrast edge moves by a grid pixel or two and differs from the
 * background at its own pixel, while the background a pixel away held the same edge. A pixel that
 * still differs after blendAfterFrames frames in a row, yet matches the background within `radius`
 * grid pixels, is such an edge; it and its neighbours within `radius` are then tested that way for
 * SWAY_MEMORY_FRAMES. Only there: a fresh difference elsewhere is compared pixel to pixel, so a small
 * object crossing a steady textured scene keeps its full sensitivity (the test applied everywhere
 * lost a third to a half of a small figure's frames on the shaky vehicle clip, see docs/motion.md).
 * A view that swings back within a few frames never differs that long: motion masks remain the tool there.
 */
export class SwayMemory {
  private readonly framesLeft: Uint8Array;
  private readonly swaying: Uint8Array;
  private readonly zone: Uint8Array;
  private readonly dilate: Dilate;
  /** Pixels marked in this frame, and pixels still remembered: with neither, a frame costs nothing here. */
  private marked = 0;
  private remembered = 0;

  constructor(
    readonly w: number,
    readonly h: number,
    readonly radius: number,
  ) {
    this.framesLeft = new Uint8Array(w * h);
    this.swaying = new Uint8Array(w * h);
    this.zone = new Uint8Array(w * h);
    this.dilate = new Dilate(w, h, radius);
  }

  /** Whether pixel `i` lies where the view was found swaying lately. */
  known(i: number): boolean {
    return this.framesLeft[i] > 0;
  }

  /** Whether value `c` is within `t` of `background` somewhere within `radius` pixels of `i` (both in the same, stretched, levels). */
  matchesNearby(background: Uint8Array, i: number, c: number, t: number): boolean {
    const { w, h, radius: r } = this;
    const x = i % w;
    const y = (i - x) / w;
    for (let yy = Math.max(0, y - r); yy <= Math.min(h - 1, y + r); yy++) {
      for (let k = yy * w + Math.max(0, x - r), end = yy * w + Math.min(w - 1, x + r); k <= end; k++) {
        const d = c - background[k];
        if (d <= t && d >= -t) return true;
      }
    }
    return false;
  }

  /** Pixel `i` swayed in this frame. */
  mark(i: number): void {
    this.swaying[i] = 1;
    this.marked++;
  }

  /** Ends a frame: the pixels within `radius` of one that swayed in it are known to sway; the others count down. */
  endFrame(): void {
    if (this.marked === 0 && this.remembered === 0) return;
    const { framesLeft, swaying, zone } = this;
    if (this.marked > 0) this.dilate.apply(swaying, zone);
    else zone.fill(0);
    let remembered = 0;
    for (let i = 0; i < framesLeft.length; i++) {
      if (zone[i] === 1) framesLeft[i] = SWAY_MEMORY_FRAMES;
      else if (framesLeft[i] > 0) framesLeft[i]--;
      if (framesLeft[i] > 0) remembered++;
    }
    this.remembered = remembered;
  }

  /** Starts a frame: nothing has swayed in it yet. */
  beginFrame(): void {
    if (this.marked === 0) return;
    this.swaying.fill(0);
    this.marked = 0;
  }
}
