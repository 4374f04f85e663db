import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { EventLog } from '../../agent/receiver/event-log.js';
import { SeqTracker } from '../../agent/receiver/seq-tracker.js';
import { tempDir } from '../support/tmp.js';

describe('receiver event log: the duplicate check is bounded per gateway', () => {
  const tmp = tempDir('event-log-');
  after(() => tmp.cleanup());

  it('keeps the last N ids of each gateway (also after a restart); one gateway\'s ids never push out another\'s', () => {
    const log = new EventLog(tmp.dir, 3);
    const ev = (id: string) => ({ id, seq: Number(id.slice(1)), type: 'start' });
    for (const id of ['a1', 'a2', 'a3', 'a4', 'a5']) assert.equal(log.record('gw-a', ev(id)).kind, 'new');
    assert.equal(log.record('gw-b', ev('b1')).kind, 'new');
    assert.deepEqual(log.idsKept(), { 'gw-a': 3, 'gw-b': 1 });
    assert.equal(log.record('gw-a', ev('a5')).kind, 'duplicate');
    assert.equal(log.record('gw-a', ev('a1')).kind, 'new', 'an id older than the last 3 is forgotten');
    assert.equal(log.record('gw-b', ev('b1')).kind, 'duplicate', 'gw-a\'s traffic did not push out gw-b\'s id');
    log.close();

    const again = new EventLog(tmp.dir, 3);
    assert.deepEqual(again.idsKept(), { 'gw-a': 3, 'gw-b': 1 }, 'read back from events.jsonl, bounded the same way');
    assert.equal(again.record('gw-a', ev('a4')).kind, 'duplicate');
    assert.equal(again.record('gw-a', ev('a2')).kind, 'new');
    again.close();
    const lines = readFileSync(path.join(tmp.dir, 'events.jsonl'), 'utf8').trim().split('\n');
    assert.equal(lines.length, 8);
  });

  it('counts missing seqs incrementally and remembers only a window of recent seqs', () => {
    const t = new SeqTracker(1, 3);
    assert.deepEqual(t.note(2), { gapFrom: undefined, late: false });
    assert.deepEqual(t.note(5), { gapFrom: 3, late: false });
    assert.equal(t.missing, 2);
    assert.deepEqual(t.note(3), { late: true });
    assert.deepEqual(t.note(3), { late: false }, 'a repeat is not late twice');
    assert.equal(t.missing, 1);
    for (let seq = 6; seq <= 20; seq++) t.note(seq);
    assert.equal(t.missing, 1);
    assert.deepEqual(t.note(4), { late: false }, 'older than the window: taken as seen');
    assert.deepEqual(t.note(0), { late: false });
    assert.deepEqual(t.note(18), { late: false }, 'within the window and seen');
  });
});
