import path from 'node:path';
import type { AgentConfig } from '../../agent/config/schema/index.js';
import { Outbox } from '../../agent/outbox/outbox.js';
import { tempDir } from '../support/tmp.js';
import { quietLogger } from '../uplink/helpers.js';

export function outboxConfig(over: Partial<AgentConfig['outbox']> = {}): AgentConfig['outbox'] {
  return { quotaBytes: 512 * 1024 * 1024, sync: 'interval', syncIntervalMs: 200, inflight: 32, bandwidthBytesPerSecond: 0, ...over };
}

export const clipMeta = (clipId: string, camera = 'cam-1', contentType = 'video/mp4') => ({
  clipId, camera, eventId: `evt-${clipId}`, startTs: new Date(Date.now() - 10000).toISOString(), endTs: new Date().toISOString(), contentType,
});

/**
 * Per-test clean-up for a describe block: `dir()` is a fresh outbox folder, `cleanups` takes the
 * test's own (outboxes, brokers), all run after each test, newest first.
 */
export function outboxTestScope(prefix = 'edge-outbox-store-'): { dir: () => string; cleanups: Array<() => Promise<void> | void> } {
  const cleanups: Array<() => Promise<void> | void> = [];
  afterEach(async () => {
    while (cleanups.length) await cleanups.pop()!();
  });
  return {
    cleanups,
    dir() {
      const t = tempDir(prefix);
      cleanups.push(t.cleanup);
      return path.join(t.dir, 'outbox');
    },
  };
}

/** A real Outbox in `d` with the test config (64 KiB chunks, a dummy signature). */
export const openTestOutbox = (d: string, over: Partial<AgentConfig['outbox']> = {}): Promise<Outbox> =>
  Outbox.open({ dir: d, config: outboxConfig(over), chunkBytes: 64 * 1024, sign: () => 'sig', logger: quietLogger });
