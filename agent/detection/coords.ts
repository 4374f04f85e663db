import type { Polygon } from '../config/schema/index.js';
import { normBox, type NormBox } from '../core/object-event.js';
import type { FrameSize, PixelBox } from './types.js';

/**
 * The only conversions between 0..1 and pixels in detection. Everything inside works in pixels of
 * the detect frame; 0..1 comes in from config (zones, object masks) and a decoder whose model reports
 * 0..1 of its input, and goes out in events and the status page's boxes.
 */

export function pixelBox(x1: number, y1: number, x2: number, y2: number): PixelBox {
  return [x1, y1, x2, y2] as unknown as PixelBox;
}

/** A box leaving detection: pixels of `frame` to 0..1 of it. */
export function toNormBox(b: PixelBox, frame: FrameSize): NormBox {
  return normBox(b[0] / frame.width, b[1] / frame.height, b[2] / frame.width, b[3] / frame.height);
}

/** A 0..1 box entering detection (a decoder's normalised output): to pixels of `frame`. */
export function toPixelBox(b: NormBox, frame: FrameSize): PixelBox {
  return pixelBox(b[0] * frame.width, b[1] * frame.height, b[2] * frame.width, b[3] * frame.height);
}

/** A config polygon (zone, object mask; 0..1 of the frame) in pixels of `frame`. */
export function polygonToPixels(polygon: Polygon, frame: FrameSize): Polygon {
  return polygon.map(([x, y]) => [x * frame.width, y * frame.height]) as Polygon;
}
