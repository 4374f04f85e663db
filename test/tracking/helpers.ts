import { validateConfig } from '../../agent/config/validate.js';
import type { AgentConfig } from '../../agent/config/schema/index.js';
import { objectPolicy } from '../../agent/detection/tracking/filters.js';
import { ObjectTracker } from '../../agent/detection/tracking/tracker.js';
import type { Box } from '../../agent/detection/types.js';

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

export function trackerFor(config: AgentConfig): ObjectTracker {
  const cam = config.cameras[0];
  return new ObjectTracker({ camera: cam.id, tracking: config.detection.tracking, policy: objectPolicy(config.detection, cam), zones: cam.zones });
}

/** A box of size w x h whose top-left corner is at (x, y), all 0..1. */
export const boxAt = (x: number, y: number, w = 0.1, h = 0.2): Box => [x, y, x + w, y + h];
