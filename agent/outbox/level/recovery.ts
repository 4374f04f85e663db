import type { Logger } from '../../core/logger.js';
import { CLASSES, SEQ_KEY, dataPrefix, hasIndex, indexKey, nFromKey, openGroupKey, type OutboxClass } from '../entry.js';
import type { Backlog } from './backlog.js';
import { openGroupRemoval, records, type Db, type Op } from './db.js';

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
 * Removes an unfinished file left by a crash (its caller never got a confirmation) and the index
 * records of an acknowledged delete a crash cut in half, then rebuilds the backlog counters from the
 * small index records, never from chunk payloads.
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
    const firstData = await firstDataN(db, c);
    const orphans: Op[] = [];
    for await (const [n, rec] of records(db, c)) {
      out.nextN = Math.max(out.nextN, n + 1);
      // Acknowledged deletes clear the data range, then the index range: a crash in between leaves
      // index records (always a prefix) whose messages are gone. Counted, they would be a backlog
      // that never drains.
      if (n < firstData) {
        orphans.push({ type: 'del', key: indexKey(c, n) });
        continue;
      }
      backlog.add(c, 1, rec.b, rec.t);
      out.sealedMax[c] = Math.max(out.sealedMax[c], n);
    }
    if (orphans.length) {
      await db.batch(orphans, { sync: true });
      logger.warn({ class: c, entries: orphans.length }, 'outbox: removed the index of messages already acknowledged (their delete was interrupted)');
    }
  }
  return out;
}

/** The lowest stored message of a class with an index (one seek, no payload read); Infinity when none. */
async function firstDataN(db: Db, c: OutboxClass): Promise<number> {
  if (!hasIndex(c)) return -Infinity;
  for await (const key of db.keys({ gte: dataPrefix(c), lt: `${dataPrefix(c)}~`, limit: 1 })) return nFromKey(key);
  return Infinity;
}
