/**
 * V8 old-space caps for the agent's helper isolates (camera processes, the inference worker), set
 * from the box's memory: they only shuttle buffers (frames and tensors live outside the V8 heap), so
 * a small heap is plenty, and a leak there hits its cap (a restart, counted) before it starves the
 * box. 1/16 of the RAM, between 32 and 64 MB: 64 MB (what camera processes always had) from 1 GB up.
 */
import os from 'node:os';

const MIN_OLD_SPACE_MB = 32;
const MAX_OLD_SPACE_MB = 64;

export function helperOldSpaceMb(totalBytes = os.totalmem()): number {
  return Math.max(MIN_OLD_SPACE_MB, Math.min(MAX_OLD_SPACE_MB, Math.round(totalBytes / 1024 ** 2 / 16)));
}
