/**
 * Builds a large outbox backlog in a fresh process (no test-runner heap around it) and reports the
 * peak RSS of each phase, so the test can check that RSS does not grow with the backlog.
 */
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { Outbox } from '../../agent/outbox/outbox.js';
import { quietLogger } from '../uplink/helpers.js';
import { clipMeta, outboxConfig } from './helpers.js';
import { objectEvent } from '../support/object-event.js';

async function main(): Promise<void> {
  const dir = process.env.WORK_DIR ?? '';
  const outbox = await Outbox.open({ dir: path.join(dir, 'outbox'), config: outboxConfig({ sync: 'never' }), chunkBytes: 128 * 1024, sign: () => 'sig', logger: quietLogger });
  const file = path.join(dir, 'clip.mp4');
  writeFileSync(file, randomBytes(16 * 1024 * 1024));
  const phases: Array<{ backlogMiB: number; rssPeakMiB: number }> = [];
  for (let phase = 0; phase < 4; phase++) {
    let peak = 0;
    const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 25);
    for (let i = 0; i < 3; i++) {
      await outbox.enqueueFile('clip', file, clipMeta(`p${phase}-${i}`)); // big clips by path: streamed
      for (let j = 0; j < 100; j++) await outbox.enqueueEvent(objectEvent({ objectId: `o${phase}-${i}-${j}` }));
    }
    clearInterval(timer);
    peak = Math.max(peak, process.memoryUsage().rss);
    phases.push({ backlogMiB: Math.round(outbox.stats().bytes / 1048576), rssPeakMiB: Math.round(peak / 1048576) });
  }
  await outbox.close();
  process.stdout.write(JSON.stringify(phases) + '\n');
}

void main();
