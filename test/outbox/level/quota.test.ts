import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { LevelOutboxStore } from '../../../agent/outbox/level/level-store.js';
import { quietLogger } from '../../uplink/helpers.js';
import { objectEvent } from '../../support/object-event.js';
import { clipMeta, openTestOutbox as open, outboxConfig, outboxTestScope } from '../helpers.js';

describe('outbox store: quota and eviction (real LevelDB)', function () {
  const { dir, cleanups } = outboxTestScope();

  it('a new clip never evicts events: it is refused and counted when only events fill the quota', async () => {
    const ob = await open(dir(), { quotaBytes: 1024 * 1024, sync: 'never' });
    cleanups.push(() => ob.close());
    const filler = 'x'.repeat(1500);
    for (let b = 0; b < 11; b++) await Promise.all([...Array(50).keys()].map((i) => ob.enqueueEvent(objectEvent({ objectId: `o${b}-${i}`, label: filler }))));
    const before = ob.stats();
    assert.ok(before.bytes > 900 * 1024, `events fill the quota: ${before.bytes}`);
    await assert.rejects(ob.enqueueFile('clip', randomBytes(300 * 1024), clipMeta('too-much')), { code: 'OUTBOX_FULL' });
    const after = ob.stats();
    assert.equal(after.pending, before.pending);
    assert.equal(after.evicted.clip, 1);
    assert.equal(after.evicted.event, 0);
    // More events push out the oldest events (counted), never fail.
    for (let i = 0; i < 100; i++) await ob.enqueueEvent(objectEvent({ objectId: `more-${i}`, label: filler }));
    assert.ok(ob.stats().evicted.event > 0);
    assert.ok(ob.stats().bytes <= 1024 * 1024);
  });

  it('refuses an item larger than the whole quota with OUTBOX_ITEM_TOO_LARGE', async () => {
    const ob = await open(dir(), { quotaBytes: 1024 * 1024 });
    cleanups.push(() => ob.close());
    await assert.rejects(ob.enqueueFile('clip', randomBytes(1200 * 1024), clipMeta('huge')), { code: 'OUTBOX_ITEM_TOO_LARGE' });
  });

  it('never evicts an entry its observer holds (in flight), and reports what it evicted', async () => {
    const held = new Set<string>();
    const reported: Array<{ keys: string[]; bytes: number }> = [];
    const store = await LevelOutboxStore.open(dir(), outboxConfig({ quotaBytes: 1024 * 1024, sync: 'never' }), quietLogger, {
      sealed: () => {},
      isHeld: (key) => held.has(key),
      evicted: (keys, bytes) => reported.push({ keys: [...keys], bytes }),
    });
    cleanups.push(() => store.close());
    const putClip = (i: number) => store.put({ cls: 2, kind: 'clip', group: { start: true, end: true }, items: [{ topic: `clips/c${i}/chunk/0`, json: false, payload: randomBytes(300 * 1024) }] });
    for (let i = 0; i < 3; i++) await putClip(i);
    const [oldest, second, third] = (await store.read(2, -1, 10)).entries;
    held.add(oldest.key);
    await putClip(3); // room for one more clip: the oldest is in flight, so the second goes
    const left = (await store.read(2, -1, 10)).entries.map((e) => e.key);
    assert.deepEqual(left.slice(0, 2), [oldest.key, third.key]);
    assert.equal(left.length, 3);
    assert.deepEqual(reported, [{ keys: [second.key], bytes: second.bytes }]);
  });

  it('counts as evicted only the groups it removed, not the in-flight ones it skipped', async () => {
    const held = new Set<string>();
    const s = await LevelOutboxStore.open(dir(), outboxConfig({ quotaBytes: 1024 * 1024, sync: 'never' }), quietLogger, {
      sealed: () => {},
      isHeld: (key) => held.has(key),
      evicted: () => {},
    });
    cleanups.push(() => s.close());
    const putClip = (i: number) => s.put({ cls: 2, kind: 'clip', group: { start: true, end: true }, items: [{ topic: `clips/c${i}/chunk/0`, json: false, payload: randomBytes(300 * 1024) }] });
    for (let i = 0; i < 3; i++) await putClip(i);
    const [oldest, second, third] = (await s.read(2, -1, 10)).entries;
    held.add(oldest.key).add(second.key); // both in flight: eviction passes over them
    await putClip(3); // needs one clip's room: only the third can go
    const left = (await s.read(2, -1, 10)).entries.map((e) => e.key);
    assert.ok(!left.includes(third.key), 'the third clip was evicted');
    assert.ok(left.includes(oldest.key) && left.includes(second.key), 'the in-flight clips stayed');
    assert.deepEqual(s.stats().evicted, { clip: 1, snapshot: 0, event: 0, health: 0, response: 0 });
  });
});
