/**
 * The running agent's outbox figures as a small file beside the outbox, so `diag` in another process
 * (the Docker HEALTHCHECK every 60 s) reads the backlog without opening, or copying, a database the
 * agent holds locked (issue 15 item 6: copying it wore the SD card and could fill the disk).
 */
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { OutboxStats } from '../outbox/types.js';

export interface OutboxSnapshot {
  /** When the agent took the figures (epoch ms). */
  ts: number;
  pid: number;
  stats: OutboxStats;
}

export function outboxSnapshotFile(dataDir: string): string {
  return path.join(dataDir, 'outbox-stats.json');
}

/**
 * Written at every health tick. Rename makes a reader see a whole file; no fsync: figures lost in a
 * power cut are rewritten at the next tick, and an fsync a minute would only wear the card.
 */
export function writeOutboxSnapshot(dataDir: string, stats: OutboxStats, now = Date.now()): void {
  const file = outboxSnapshotFile(dataDir);
  const tmp = `${file}.${process.pid}.tmp`;
  const snapshot: OutboxSnapshot = { ts: now, pid: process.pid, stats };
  writeFileSync(tmp, JSON.stringify(snapshot));
  renameSync(tmp, file);
}

/** The last figures, or undefined when there are none (first start, cron health not run yet) or they do not parse. */
export function readOutboxSnapshot(dataDir: string): OutboxSnapshot | undefined {
  try {
    const s = JSON.parse(readFileSync(outboxSnapshotFile(dataDir), 'utf8')) as OutboxSnapshot;
    return typeof s.ts === 'number' && typeof s.stats?.pending === 'number' && typeof s.stats.bytes === 'number' ? s : undefined;
  } catch {
    return undefined;
  }
}
