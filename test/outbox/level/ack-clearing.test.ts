import assert from 'node:assert/strict';
import { LevelOutboxStore } from '../../../agent/outbox/level/level-store.js';
import type { PutRequest } from '../../../agent/outbox/store.js';
import { quietLogger } from '../../uplink/helpers.js';
import { outboxConfig, outboxTestScope } from '../helpers.js';

describe('outbox store: deleting acknowledged entries (real LevelDB)', function () {
  const { dir, cleanups } = outboxTestScope();
  const health = (i: number): PutRequest => ({ cls: 0, kind: 'health', items: [{ topic: 'health', json: true, payload: Buffer.from(JSON.stringify({ i })) }] });

  it('never reads back an acknowledged prefix, and deletes it for good', async () => {
    const d = dir();
    let store = await LevelOutboxStore.open(d, outboxConfig(), quietLogger);
    cleanups.push(() => store.close());
    for (let i = 0; i < 10; i++) await store.put(health(i));
    const all = (await store.read(0, -1, 100)).entries;
    assert.equal(all.length, 10);
    const acked = all.slice(0, 4);
    store.delThrough(0, acked[3].n, acked.length, acked.reduce((s, e) => s + e.bytes, 0));
    // Read at once: the range delete is still coalescing, yet the acknowledged entries do not come back.
    const again = await store.read(0, -1, 100);
    assert.deepEqual(again.entries.map((e) => e.n), all.slice(4).map((e) => e.n));
    await store.flush();
    assert.equal(store.stats().pending, 6);
    await store.close();
    store = await LevelOutboxStore.open(d, outboxConfig(), quietLogger);
    assert.equal(store.stats().pending, 6);
    assert.deepEqual((await store.read(0, -1, 100)).entries.map((e) => e.n), all.slice(4).map((e) => e.n));
  });
});
