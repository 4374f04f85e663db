import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { EventClips, type ClipResult } from '../../agent/clips/event-clips.js';
import { Recordings } from '../../agent/clips/recordings.js';
import { TypedBus } from '../../agent/core/bus.js';
import { AgentError } from '../../agent/core/errors.js';
import type { AgentEvents } from '../../agent/core/events.js';
import { normBox, type ObjectEvent } from '../../agent/core/object-event.js';
import type { RecordingSegment } from '../../agent/ingest/types.js';
import type { ClipMeta } from '../../agent/outbox/types.js';
import { tempDir, VIDEOS_DIR } from '../support/tmp.js';
import { waitFor } from '../support/wait.js';
import { inspectMedia, makeSegments } from './support/segments.js';

interface Queued { meta: ClipMeta; copy: string }

describe('clips: event clips and requested clips', function () {
  this.timeout(120000);
  const tmp = tempDir('clips-events-');
  const recDir = path.join(tmp.dir, 'recordings');
  const camDir = path.join(recDir, 'cam1');
  const recordings = new Recordings({ dir: recDir, retentionHours: 24, maxBytes: 1 << 30 });
  const bus = new TypedBus<AgentEvents>();
  const queued: Queued[] = [];
  const results: ClipResult[] = [];
  let staged: RecordingSegment[] = [];
  let base = 0;
  let clips: EventClips;

  /** "Ingest closes a segment": the file appears under its final name and camera.segment is emitted. */
  const close = (seg: RecordingSegment): void => {
    const file = path.join(camDir, path.basename(seg.path));
    renameSync(seg.path, file);
    bus.emit('camera.segment', { ...seg, path: file });
  };

  before(() => {
    base = Date.now() - 25_000; // the 30 s recording "ends" about 5 s from now
    staged = makeSegments({ video: path.join(VIDEOS_DIR, 'intel_car-detection.mp4'), cameraDir: path.join(tmp.dir, 'staging', 'cam1'), baseMs: base, container: 'ts', maxSeconds: 10 });
    mkdirSync(camDir, { recursive: true });
    clips = new EventClips({
      bus, recordings, tmpDir: path.join(tmp.dir, 'clip-tmp'), segmentSeconds: 1, graceMs: 1000,
      settings: { preSeconds: 2, postSeconds: 3, maxSeconds: 60 },
      // The outbox copies the file before resolving; so does this stand-in, which keeps the copy to inspect.
      enqueueFile: async (_kind, file, meta) => {
        const copy = path.join(tmp.dir, `queued-${meta.clipId}.mp4`);
        writeFileSync(copy, readFileSync(file));
        queued.push({ meta, copy });
        return { id: `out-${meta.clipId}` };
      },
    });
    clips.onResult((r) => results.push(r));
    clips.start();
  });
  after(async () => {
    await clips?.stop();
    tmp.cleanup();
  });

  const endEvent = (startTs: number, endTs: number, camera = 'cam1'): ObjectEvent => ({
    type: 'end', camera, objectId: `obj-${startTs}`, label: 'car', score: 0.8, topScore: 0.9, box: normBox(0.1, 0.1, 0.3, 0.3), zones: [], startTs, endTs, ts: endTs,
  });

  it('cuts a clip for an ended event once the segment covering endTs + postSeconds is closed, and queues it', async () => {
    close(staged[0]);
    close(staged[1]); // recorded up to base + 19.2 s
    const ev = endEvent(base + 12_000, base + 17_000); // clip [base + 10 s, base + 20 s]
    bus.emit('detection.event', ev);
    bus.emit('detection.event', { ...ev, type: 'update' });
    assert.equal(clips.stats().waiting, 1, 'waits: recording does not reach base + 20 s yet');
    close(staged[2]);
    await waitFor(() => queued.length === 1, { what: 'the event clip in the outbox' });
    const { meta, copy } = queued[0];
    assert.equal(meta.eventId, ev.objectId);
    assert.equal(meta.camera, 'cam1');
    assert.equal(meta.contentType, 'video/mp4');
    assert.equal(Date.parse(meta.startTs), base + 9600, 'the key frame at or before base + 10 s');
    assert.ok(Date.parse(meta.endTs) >= base + 19_900 && Date.parse(meta.endTs) <= base + 20_000, meta.endTs);
    const media = inspectMedia(copy);
    assert.equal(media.decodeError, null);
    assert.equal(media.firstIsKeyframe, true);
    assert.ok(media.durationS >= 10.3, `duration ${media.durationS}`);
    assert.deepEqual(readdirSync(path.join(tmp.dir, 'clip-tmp')), [], 'temp file deleted');
    assert.deepEqual(results.map((r) => [r.ok, r.eventId]), [[true, ev.objectId]]);
  });

  it('cuts an investigator-requested range and returns its clipId', async () => {
    const clipId = clips.requestClip('cam1', base + 1_000, base + 6_000);
    await waitFor(() => queued.find((q) => q.meta.clipId === clipId), { what: 'the requested clip' });
    const q = queued.find((x) => x.meta.clipId === clipId)!;
    assert.equal(q.meta.eventId, undefined);
    assert.equal(Date.parse(q.meta.startTs), base);
    assert.equal(inspectMedia(q.copy).decodeError, null);
  });

  it('refuses bad requests at once with their codes', () => {
    const code = (fn: () => unknown): string => {
      try {
        fn();
      } catch (err) {
        return err instanceof AgentError ? err.code : String(err);
      }
      return 'no error';
    };
    assert.equal(code(() => clips.requestClip('cam1', base + 5_000, base + 1_000)), 'CLIP_RANGE_INVALID');
    assert.equal(code(() => clips.requestClip('cam1', base, base + 61_000)), 'CLIP_TOO_LONG');
    assert.equal(code(() => clips.requestClip('cam1', base - 60_000, base - 50_000)), 'CLIP_NO_RECORDING');
  });

  it('cuts no clip for events when clips.onEvents is false', async () => {
    // Both events lie in the recorded range, so a clip for either is released at once; cuts run one at
    // a time in order. The control differs from the disabled event only in onEvents, so once the
    // control's clip is out, a clip for the disabled event would already have been cut before it.
    const disabled = endEvent(base + 2_000, base + 3_000);
    const control = endEvent(base + 4_000, base + 5_000);
    clips.update({ preSeconds: 2, postSeconds: 3, maxSeconds: 60, onEvents: false }, 1);
    bus.emit('detection.event', disabled);
    clips.update({ preSeconds: 2, postSeconds: 3, maxSeconds: 60, onEvents: true }, 1);
    bus.emit('detection.event', control);
    await waitFor(() => results.find((r) => r.eventId === control.objectId), { what: 'the control event\'s clip' });
    assert.ok(queued.some((q) => q.meta.eventId === control.objectId), 'control clip queued');
    assert.equal(results.find((r) => r.eventId === disabled.objectId), undefined, 'no clip result for the event seen with onEvents false');
    assert.equal(queued.find((q) => q.meta.eventId === disabled.objectId), undefined, 'no clip queued for it');
    assert.equal(clips.stats().waiting, 0);
  });

  it('reports CLIP_NO_RECORDING for an event on a camera that never records (after waiting for it)', async () => {
    const ev = endEvent(Date.now() - 4000, Date.now() - 3000, 'silent');
    bus.emit('detection.event', ev);
    const r = await waitFor(() => results.find((x) => x.eventId === ev.objectId), { what: 'the failed clip', timeoutMs: 30000 });
    assert.equal(r.ok, false);
    assert.equal(r.error?.code, 'CLIP_NO_RECORDING');
    assert.equal(clips.stats().failed, 1);
    assert.ok(!existsSync(path.join(tmp.dir, 'clip-tmp', `${r.clipId}.mp4`)));
  });
});
