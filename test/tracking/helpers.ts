import { validateConfig } from '../../agent/config/validate.js';
import type { AgentConfig } from '../../agent/config/schema/index.js';
import { objectPolicy } from '../../agent/detection/tracking/filters.js';
import { ObjectTracker } from '../../agent/detection/tracking/tracker.js';
import { pixelBox } from '../../agent/detection/coords.js';
import type { FrameSize, PixelBox } from '../../agent/detection/types.js';

/** A validated config (defaults filled in) with one camera `cam1` carrying the given overrides. */
export function configWith(camera: Record<string, unknown> = {}, detection: Record<string, unknown> = {}): AgentConfig {
  const r = validateConfig({
    mqtt: { url: 'mqtt://127.0.0.1:1883' },
    cameras: [{ id: 'cam1', source: { kind: 'test' }, ...camera }],
    detection,
  });
  if (!r.ok) throw new Error(JSON.stringify(r.problems));
  return r.config;
}

/** The detect frame the tests' trackers work in (the default detect size: not square, so x and y scale apart). */
export const TEST_FRAME: FrameSize = { width: 640, height: 360 };

export function trackerFor(config: AgentConfig): ObjectTracker {
  const cam = config.cameras[0];
  return new ObjectTracker({ camera: cam.id, tracking: config.detection.tracking, policy: objectPolicy(config.detection, cam), zones: cam.zones, frame: TEST_FRAME });
}

/** A box given in 0..1 of TEST_FRAME, in its pixels (what the tracker takes); events give it back in 0..1. */
export const px = (x1: number, y1: number, x2: number, y2: number): PixelBox =>
  pixelBox(x1 * TEST_FRAME.width, y1 * TEST_FRAME.height, x2 * TEST_FRAME.width, y2 * TEST_FRAME.height);

/** A box of size w x h whose top-left corner is at (x, y), all 0..1 of TEST_FRAME (in its pixels). */
export const boxAt = (x: number, y: number, w = 0.1, h = 0.2): PixelBox => px(x, y, x + w, y + h);
