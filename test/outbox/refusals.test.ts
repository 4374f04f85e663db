import assert from 'node:assert/strict';
import path from 'node:path';
import { objectEvent } from '../support/object-event.js';
import { clipMeta, openTestOutbox, outboxTestScope } from './helpers.js';

/** What the outbox refuses to queue, each with its code, and that a refusal stores nothing (real LevelDB). */
describe('Outbox refusals', () => {
  const scope = outboxTestScope('edge-outbox-refuse-');

  it('a clip id that cannot be a topic level, a file gone before it was queued, and any enqueue after close', async () => {
    const dir = scope.dir();
    const outbox = await openTestOutbox(dir);
    let closed = false;
    scope.cleanups.push(async () => { if (!closed) await outbox.close(); });
    await outbox.enqueueEvent(objectEvent({ objectId: 'before' }));
    const pending = outbox.stats().pending;

    await assert.rejects(outbox.enqueueFile('clip', Buffer.from('x'), clipMeta('cam-1/../../status')), { code: 'OUTBOX_CLIP_ID_INVALID' });
    const gone = path.join(path.dirname(dir), 'vanished.ts');
    await assert.rejects(outbox.enqueueFile('clip', gone, clipMeta('vanished')), { code: 'OUTBOX_FILE_UNREADABLE', message: `cannot read ${gone}` });
    assert.equal(outbox.stats().pending, pending, 'a refused file stores nothing');

    await outbox.close();
    closed = true;
    await assert.rejects(outbox.enqueueEvent(objectEvent({ objectId: 'after' })), { code: 'OUTBOX_CLOSED' });
  });
});
