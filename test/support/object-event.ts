import type { EventBody } from '../../agent/contract/index.js';

/** A complete object event as the detection stage emits it, for tests that only care about some fields. */
export function objectEvent(over: Partial<EventBody> = {}): EventBody {
  const ts = Date.now();
  return { type: 'update', camera: 'cam-1', objectId: 'o1', label: 'car', score: 0.8, topScore: 0.9, box: [0.1, 0.2, 0.3, 0.4], zones: [], startTs: ts, ts, ...over };
}
