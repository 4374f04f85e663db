import type { OutboxWriteHealth } from './types.js';

/**
 * The outbox refuses writes for a reason other than a full disk (an I/O error, a database that does not
 * reopen). A full disk is not: a restart makes no room, and the outbox reopens by itself once there is
 * some (recordings go first). The watchdog lets systemd restart the agent after a while of the former.
 */
export function refusesWritesWithRoom(health: OutboxWriteHealth): boolean {
  return !health.writable && health.lastError?.code !== 'OUTBOX_DISK_FULL';
}
