/**
 * Enqueues events into an outbox with `outbox.sync` from SYNC (no uplink: everything stays stored)
 * until killed, prints `pid <pid>` once open and `durable <seq> <id>` on stdout as each enqueue resolves. With
 * MODE=list it instead opens the outbox and prints `stored <id>` for every stored event.
 */
import { Outbox } from '../../agent/outbox/outbox.js';
import { LevelOutboxStore } from '../../agent/outbox/level/level-store.js';
import { quietLogger } from '../uplink/helpers.js';
import { objectEvent } from '../support/object-event.js';
import { outboxConfig } from './helpers.js';

const dir = process.env.OUTBOX_DIR ?? '';
const config = outboxConfig({ sync: (process.env.SYNC ?? 'always') as 'always' | 'interval' | 'never' });

async function enqueueUntilKilled(): Promise<void> {
  const outbox = await Outbox.open({ dir, config, chunkBytes: 64 * 1024, sign: () => 'unsigned-test', logger: quietLogger });
  process.stdout.write(`pid ${process.pid}\n`);
  for (let i = 0; ; i++) {
    const { seq, id } = await outbox.enqueueEvent(objectEvent({ objectId: `o-${i}` }));
    process.stdout.write(`durable ${seq} ${id}\n`);
  }
}

async function listStored(): Promise<void> {
  const store = await LevelOutboxStore.open(dir, config, quietLogger);
  const { entries } = await store.read(0, -1, 1_000_000);
  for (const e of entries) process.stdout.write(`stored ${(JSON.parse(e.payload.toString()) as { id: string }).id}\n`);
  await store.close();
}

(process.env.MODE === 'list' ? listStored() : enqueueUntilKilled()).catch((err: Error) => {
  process.stderr.write(`${err.stack ?? err.message}\n`);
  process.exit(1);
});
