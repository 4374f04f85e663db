/** Types inside the detection subsystem (what it publishes is in agent/core/object-event.ts). */
import type { Box } from '../core/object-event.js';

/**
 * [x1, y1, x2, y2] in pixels: of the detect frame everywhere in detection, except a decoder's raw
 * output (pixels of the model input, mapped to the frame by the detector service). Made by
 * `pixelBox()` or converted from a NormBox in coords.ts.
 */
export type PixelBox = Box & { readonly __space: 'pixel' };

/** Width and height of a frame (or of the model input) in pixels. */
export interface FrameSize {
  readonly width: number;
  readonly height: number;
}

/** One detector hit in detect-frame pixels. */
export interface Detection {
  label: string;
  score: number;
  box: PixelBox;
}
