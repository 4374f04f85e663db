import type { Logger } from '../../core/logger.js';
import { CLASSES, SEQ_KEY, openGroupKey } from '../entry.js';
import type { Backlog } from './backlog.js';
import { openGroupRemoval, records, type Db } from './db.js';

/** Where the writer carries on after an open. */
export interface Recovered {
  /** The last event seq handed out. */
  seq: number;
  /** The next entry number (one past the highest stored). */
  nextN: number;
  /** Highest n per class that may be dispatched (complete groups only). */
  sealedMax: number[];
}

/**
 * Removes an unfinished file left by a crash (its caller never got a confirmation), then rebuilds
 * the backlog counters from the small index records, never from chunk payloads.
 */
export async function recover(db: Db, backlog: Backlog, logger: Logger): Promise<Recovered> {
  const seq = await db.get(SEQ_KEY);
  const out: Recovered = { seq: seq ? Number(seq.toString()) : 0, nextN: 0, sealedMax: [-1, -1, -1] };
  for (const c of CLASSES) {
    const open = await db.get(openGroupKey(c));
    if (open) {
      const { ops, entries } = await openGroupRemoval(db, c, Number(open.toString()));
      await db.batch(ops, { sync: true });
      logger.warn({ class: c, entries }, 'outbox: removed a file whose enqueue was interrupted (its caller never got a confirmation)');
    }
    for await (const [n, rec] of records(db, c)) {
      backlog.add(c, 1, rec.b, rec.t);
      out.sealedMax[c] = Math.max(out.sealedMax[c], n);
      out.nextN = Math.max(out.nextN, n + 1);
    }
  }
  return out;
}
