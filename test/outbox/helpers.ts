import type { AgentConfig } from '../../agent/config/schema/index.js';

export function outboxConfig(over: Partial<AgentConfig['outbox']> = {}): AgentConfig['outbox'] {
  return { quotaBytes: 512 * 1024 * 1024, sync: 'interval', syncIntervalMs: 200, inflight: 32, bandwidthBytesPerSecond: 0, ...over };
}

export const clipMeta = (clipId: string, camera = 'cam-1', contentType = 'video/mp4') => ({
  clipId, camera, eventId: `evt-${clipId}`, startTs: new Date(Date.now() - 10000).toISOString(), endTs: new Date().toISOString(), contentType,
});
