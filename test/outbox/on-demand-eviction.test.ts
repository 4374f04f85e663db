import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { Outbox } from '../../agent/outbox/outbox.js';
import { tempDir } from '../support/tmp.js';
import { quietLogger } from '../uplink/helpers.js';
import { clipMeta, outboxConfig } from './helpers.js';
import { testSigner } from './receiver.js';

describe('Outbox: an on-demand file never evicts event evidence', () => {
  const tmp = tempDir('edge-outbox-ondemand-');
  after(() => tmp.cleanup());

  it('refuses an on-demand snapshot or clip that does not fit, while an event file still makes room', async () => {
    const outbox = await Outbox.open({ dir: path.join(tmp.dir, 'outbox'), config: outboxConfig({ quotaBytes: 1024 * 1024 }), chunkBytes: 128 * 1024, sign: testSigner().sign, logger: quietLogger });
    try {
      for (let i = 0; i < 4; i++) await outbox.enqueueFile('clip', randomBytes(220 * 1024), clipMeta(`evt-clip-${i}`));
      const onDemand = (id: string) => ({ ...clipMeta(id), eventId: undefined });
      await assert.rejects(outbox.enqueueFile('snapshot', randomBytes(300 * 1024), onDemand('snap-cmd')), { code: 'OUTBOX_FULL' });
      await assert.rejects(outbox.enqueueFile('clip', randomBytes(300 * 1024), onDemand('clip-cmd')), { code: 'OUTBOX_FULL' });
      let s = outbox.stats();
      assert.equal(s.evicted.clip, 1, 'the refused on-demand clip is counted, no event clip evicted');
      assert.equal(s.evicted.snapshot, 1);
      // An on-demand file that fits is queued as before.
      await outbox.enqueueFile('snapshot', randomBytes(20 * 1024), onDemand('snap-small'));
      // An event's snapshot may still push out the oldest event clip.
      await outbox.enqueueFile('snapshot', randomBytes(300 * 1024), clipMeta('evt-snap'));
      s = outbox.stats();
      assert.equal(s.evicted.clip, 2);
      assert.ok(s.bytes <= 1024 * 1024);
    } finally {
      await outbox.close();
    }
  });
});
