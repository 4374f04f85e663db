import type { CameraConfig } from '../../config/schema/index.js';

export type DetectSchedule = CameraConfig['detect']['schedule'];

const minutes = (hhmm: string): number => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

/**
 * Whether detection runs at local time `at`. The window includes `from` and excludes `to`; a window
 * whose `to` is earlier than `from` wraps past midnight (22:00-06:00). `from` equal to `to` means
 * the whole day. No schedule: always.
 */
export function inSchedule(schedule: DetectSchedule, at: Date): boolean {
  if (!schedule) return true;
  const from = minutes(schedule.from);
  const to = minutes(schedule.to);
  const now = at.getHours() * 60 + at.getMinutes();
  if (from === to) return true;
  return from < to ? now >= from && now < to : now >= from || now < to;
}
