import { Level } from 'level';
import { AgentError } from '../../core/errors.js';
import { dataKey, dataPrefix, hasIndex, indexKey, indexPrefix, nFromKey, openGroupKey, recordFromData, type IndexRecord, type OutboxClass } from '../entry.js';

export type Db = Level<string, Buffer>;
export type Op = { type: 'put'; key: string; value: Buffer } | { type: 'del'; key: string };

/** Opens the outbox's LevelDB; the lock another process holds is told apart from a broken folder. */
export async function openDb(dir: string, writeBufferSize?: number): Promise<Db> {
  const db = new Level<string, Buffer>(dir, { valueEncoding: 'buffer', ...(writeBufferSize ? { writeBufferSize } : {}) });
  try {
    await db.open();
  } catch (err) {
    const reason = (err as Error & { cause?: Error }).cause?.message ?? (err as Error).message;
    const locked = /lock/i.test(reason);
    throw new AgentError(
      locked ? 'OUTBOX_LOCKED' : 'OUTBOX_OPEN_FAILED',
      `cannot open the outbox at ${dir}: ${reason}`,
      locked ? 'another edge-agent process holds the outbox; ask it (edge-agent diag) instead of opening the store' : 'check that gateway.dataDir is writable and not full',
      { cause: err },
    );
  }
  return db;
}

/** [n, record] in FIFO order: from the index for files, from the (small) messages themselves otherwise. */
export async function* records(db: Db, c: OutboxClass, limit?: number): AsyncGenerator<[number, IndexRecord]> {
  if (hasIndex(c)) {
    for await (const [key, value] of db.iterator({ gte: indexPrefix(c), lt: `${indexPrefix(c)}~`, limit })) yield [nFromKey(key), JSON.parse(value.toString()) as IndexRecord];
  } else {
    for await (const [key, value] of db.iterator({ gte: dataPrefix(c), lt: `${dataPrefix(c)}~`, limit })) {
      const n = nFromKey(key);
      yield [n, recordFromData(n, value)];
    }
  }
}

/**
 * The batch that removes the unfinished file of a class (first entry `g`; it is the newest, so it
 * runs to the end of the class) with its open-group mark, and what that frees.
 */
export async function openGroupRemoval(db: Db, c: OutboxClass, g: number): Promise<{ ops: Op[]; entries: number; bytes: number }> {
  const ops: Op[] = [{ type: 'del', key: openGroupKey(c) }];
  let entries = 0;
  let bytes = 0;
  for await (const [key, value] of db.iterator({ gte: indexKey(c, g), lt: `${indexPrefix(c)}~` })) {
    ops.push({ type: 'del', key }, { type: 'del', key: dataKey(c, nFromKey(key)) });
    entries++;
    bytes += (JSON.parse(value.toString()) as IndexRecord).b;
  }
  return { ops, entries, bytes };
}
