import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { EventClips } from '../../agent/clips/event-clips.js';
import { Recordings } from '../../agent/clips/recordings.js';
import type { ClipMeta } from '../../agent/outbox/types.js';
import { normBox } from '../../agent/core/object-event.js';
import { cameras, harness, type Harness } from '../ingest/helpers.js';
import { tempDir, VIDEOS_DIR } from '../support/tmp.js';
import { waitFor } from '../support/wait.js';
import { inspectMedia } from './support/segments.js';

/** Event clips from what the real ingest records (a camera process with splitmuxsink), not from fixtures. */
describe('clips: event clip from segments recorded by ingest', function () {
  this.timeout(120000);
  const tmp = tempDir('clips-ingest-');
  let h: Harness | undefined;
  let clips: EventClips | undefined;

  after(async () => {
    await clips?.stop();
    await h?.manager.stop();
    tmp.cleanup();
  });

  it('cuts a playable clip that starts on a key frame once the covering segment is closed', async () => {
    const list = cameras([{ id: 'street', source: { kind: 'file', path: path.join(VIDEOS_DIR, 'ozlu_vehicle_survaillance.mp4'), loop: true }, detect: { width: 320, height: 180, fps: 4 } }]);
    h = harness(list, tmp.dir, { segmentSeconds: 2 });
    const queued: { meta: ClipMeta; copy: string }[] = [];
    clips = new EventClips({
      bus: h.bus, recordings: new Recordings({ dir: path.join(tmp.dir, 'recordings'), retentionHours: 1, maxBytes: 1 << 30 }),
      tmpDir: path.join(tmp.dir, 'clip-tmp'), segmentSeconds: 2, settings: { preSeconds: 1, postSeconds: 1, maxSeconds: 60 },
      enqueueFile: async (_kind, file, meta) => {
        const copy = path.join(tmp.dir, `${meta.clipId}.mp4`);
        writeFileSync(copy, readFileSync(file));
        queued.push({ meta, copy });
        return { id: meta.clipId };
      },
    });
    clips.start();
    await h.manager.start();
    const first = await waitFor(() => h!.segments[0], { what: 'a first closed segment', timeoutMs: 60000 });
    // An object seen from 1.5 s into the recording until now: the clip needs a segment that is not closed yet.
    const startTs = first.startTs + 1500;
    const endTs = Date.now();
    h.bus.emit('detection.event', { type: 'end', camera: 'street', objectId: 'car-1', label: 'car', score: 0.8, topScore: 0.9, box: normBox(0.1, 0.1, 0.2, 0.2), zones: [], startTs, endTs, ts: endTs });
    const results: unknown[] = [];
    clips.onResult((r) => results.push(r));
    const q = await waitFor(() => queued[0], { what: 'the event clip', timeoutMs: 90000 }).catch((err: Error) => {
      throw new Error(`${err.message}; results ${JSON.stringify(results)}, segments ${JSON.stringify(h?.segments)}, stats ${JSON.stringify(clips?.stats())}`);
    });
    assert.ok(Date.parse(q.meta.startTs) <= startTs - 1000, `starts at or before the pre-roll: ${q.meta.startTs}`);
    assert.ok(Date.parse(q.meta.endTs) >= endTs + 1000 - 500, `reaches the post-roll: ${q.meta.endTs} vs ${new Date(endTs + 1000).toISOString()}`);
    const media = inspectMedia(q.copy);
    assert.equal(media.decodeError, null);
    assert.equal(media.firstIsKeyframe, true);
    assert.equal(media.video, 'video/x-h264');
    assert.ok(media.durationS >= (endTs + 1000 - (startTs - 1000)) / 1000 - 0.6, `duration ${media.durationS}`);
  });
});
