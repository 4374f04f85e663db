import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Level } from 'level';
import { dataPrefix } from '../../../agent/outbox/entry.js';
import { LevelOutboxStore } from '../../../agent/outbox/level/level-store.js';
import { quietLogger } from '../../uplink/helpers.js';
import { objectEvent } from '../../support/object-event.js';
import { openTestOutbox as open, outboxConfig, outboxTestScope } from '../helpers.js';

describe('outbox store: opening and recovery (real LevelDB)', function () {
  const { dir, cleanups } = outboxTestScope();

  it('keeps seq across a restart: no reuse, no gap', async () => {
    const d = dir();
    let ob = await open(d, { sync: 'always' });
    for (let i = 1; i <= 5; i++) assert.equal((await ob.enqueueEvent(objectEvent({ objectId: `o${i}` }))).seq, i);
    await ob.close();
    ob = await open(d);
    cleanups.push(() => ob.close());
    assert.equal(ob.stats().pending, 5);
    assert.equal((await ob.enqueueEvent(objectEvent({ objectId: 'o6' }))).seq, 6);
  });

  it('drops a file whose enqueue was interrupted, and keeps everything else', async () => {
    const d = dir();
    const store = await LevelOutboxStore.open(d, outboxConfig(), quietLogger);
    await store.put({ cls: 0, kind: 'event', seq: true, items: [{ topic: 'events', json: true, payload: (seq) => Buffer.from(JSON.stringify({ seq })) }] });
    // The first part of a streamed clip, then the process "dies" before the last part.
    await store.put({ cls: 2, kind: 'clip', group: { start: true, end: false }, items: [{ topic: 'clips/x/meta', json: true, payload: Buffer.from('{}') }, { topic: 'clips/x/chunk/0', json: false, payload: randomBytes(1000) }] });
    assert.equal(store.hasUnread(2, -1), false, 'an unfinished file is never sendable');
    assert.deepEqual((await store.read(2, -1, 10)).entries, []);
    await store.close();
    const ob = await open(d);
    cleanups.push(() => ob.close());
    assert.equal(ob.stats().pending, 1);
    assert.equal((await ob.enqueueEvent(objectEvent())).seq, 2);
  });

  it('drops a half-written file at once when its enqueue fails (abortOpenGroup); the files around it stay whole', async () => {
    const d = dir();
    let store = await LevelOutboxStore.open(d, outboxConfig(), quietLogger);
    cleanups.push(() => store.close());
    const chunk = (clipId: string, i: number) => ({ topic: `clips/${clipId}/chunk/${i}`, json: false, payload: randomBytes(1000) });
    const whole = (clipId: string) => store.put({ cls: 2, kind: 'clip', group: { start: true, end: true }, items: [chunk(clipId, 0)] });
    const topics = async (): Promise<string[]> => (await store.read(2, -1, 10)).entries.map((e) => e.header.topic);
    await whole('before');
    const { pending, bytes } = store.stats();
    await store.put({ cls: 2, kind: 'clip', group: { start: true, end: false }, items: [chunk('broken', 0), chunk('broken', 1)] });
    await store.put({ cls: 2, kind: 'clip', group: { start: false, end: false }, items: [chunk('broken', 2)] });
    assert.equal(store.stats().pending, pending + 3);
    await store.abortOpenGroup(2);
    assert.deepEqual([store.stats().pending, store.stats().bytes], [pending, bytes], 'no longer counted');
    await whole('after');
    assert.deepEqual(await topics(), ['clips/before/chunk/0', 'clips/after/chunk/0']);
    // Reopened: the broken file's mark went with it, so recovery leaves the next file alone.
    await store.close();
    store = await LevelOutboxStore.open(d, outboxConfig(), quietLogger);
    assert.deepEqual(await topics(), ['clips/before/chunk/0', 'clips/after/chunk/0']);
  });

  it('drops the index of acknowledged messages whose delete a crash cut in half: no backlog that never drains', async () => {
    const d = dir();
    let store = await LevelOutboxStore.open(d, outboxConfig(), quietLogger);
    const chunk = (clipId: string, i: number) => ({ topic: `clips/${clipId}/chunk/${i}`, json: false, payload: randomBytes(1000) });
    await store.put({ cls: 2, kind: 'clip', group: { start: true, end: true }, items: [chunk('acked', 0), chunk('acked', 1)] });
    await store.close();
    // What a kill -9 between the acknowledged delete's two range clears leaves: the messages are gone
    // (data cleared first), their index records are not.
    const raw = new Level<string, Buffer>(d, { valueEncoding: 'buffer' });
    await raw.clear({ gte: dataPrefix(2), lt: `${dataPrefix(2)}~` });
    await raw.close();
    store = await LevelOutboxStore.open(d, outboxConfig(), quietLogger);
    cleanups.push(() => store.close());
    assert.deepEqual([store.stats().pending, store.stats().bytes], [0, 0], 'nothing is waiting');
    assert.equal(store.hasUnread(2, -1), false);
    await store.put({ cls: 2, kind: 'clip', group: { start: true, end: true }, items: [chunk('next', 0)] });
    assert.equal(store.stats().pending, 1);
    assert.deepEqual((await store.read(2, -1, 10)).entries.map((e) => e.header.topic), ['clips/next/chunk/0']);
  });

  it('holds the LevelDB lock: a second opener gets OUTBOX_LOCKED', async () => {
    const d = dir();
    const ob = await open(d);
    cleanups.push(() => ob.close());
    await assert.rejects(open(d), { code: 'OUTBOX_LOCKED' });
  });
});
