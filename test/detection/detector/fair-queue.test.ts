import assert from 'node:assert/strict';
import { FairQueue } from '../../../agent/detection/detector/fair-queue.js';

describe('detector: fair bounded queue', function () {
  it('serves cameras round-robin, whatever order their jobs arrived in', function () {
    const q = new FairQueue<string>(10);
    for (const j of ['a1', 'a2', 'a3', 'b1', 'c1', 'b2']) q.push(j[0], j);
    const order: string[] = [];
    for (let j = q.shift(); j; j = q.shift()) order.push(j);
    assert.deepEqual(order, ['a1', 'b1', 'c1', 'a2', 'b2', 'a3']);
  });

  it('when full, evicts the oldest job of the busiest camera; a quiet camera keeps its job', function () {
    const q = new FairQueue<string>(3);
    assert.equal(q.push('b', 'b1'), undefined);
    assert.equal(q.push('a', 'a1'), undefined);
    assert.equal(q.push('a', 'a2'), undefined);
    assert.equal(q.push('a', 'a3'), 'a1'); // b1 is older but b has one job
    assert.equal(q.push('a', 'a4'), 'a2');
    assert.equal(q.size, 3);
    assert.equal(q.pendingFor('b'), 1);
    // Equally busy cameras: the one holding the oldest job loses it.
    assert.equal(q.push('b', 'b2'), 'b1');
    assert.deepEqual(q.drain().sort(), ['a3', 'a4', 'b2']);
    assert.equal(q.size, 0);
  });

  it('with one camera it is a plain drop-oldest ring', function () {
    const q = new FairQueue<number>(2);
    const dropped = [1, 2, 3, 4, 5].map((n) => q.push('cam', n)).filter((d) => d !== undefined);
    assert.deepEqual(dropped, [1, 2, 3]);
    assert.deepEqual([q.shift(), q.shift(), q.shift()], [4, 5, undefined]);
  });
});
