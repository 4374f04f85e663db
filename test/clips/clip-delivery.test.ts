import assert from 'node:assert/strict';
import { mkdirSync, renameSync } from 'node:fs';
import path from 'node:path';
import { EventClips } from '../../agent/clips/event-clips.js';
import { Recordings } from '../../agent/clips/recordings.js';
import { validateConfig } from '../../agent/config/validate.js';
import { TypedBus } from '../../agent/core/bus.js';
import type { AgentEvents } from '../../agent/core/events.js';
import { createLogger } from '../../agent/core/logger.js';
import { normBox } from '../../agent/core/object-event.js';
import { loadOrCreateIdentity } from '../../agent/identity/gateway-identity.js';
import { Outbox } from '../../agent/outbox/outbox.js';
import { Receiver } from '../../agent/receiver/receiver.js';
import { MqttUplink } from '../../agent/uplink/mqtt-uplink.js';
import { MosquittoBroker } from '../support/mosquitto.js';
import { tempDir, VIDEOS_DIR } from '../support/tmp.js';
import { inspectMedia, makeSegments } from './support/segments.js';

/**
 * The whole path of an event clip with the real parts: segments on disk -> EventClips -> LevelDB
 * outbox (chunked, signed) -> MQTT 5 uplink -> Mosquitto -> receiver (reassembled, verified).
 */
describe('clips: an event clip from recording to the central receiver', function () {
  this.timeout(120000);
  const tmp = tempDir('clips-delivery-');
  const broker = new MosquittoBroker();
  const logger = createLogger('silent');
  let outbox: Outbox;
  let uplink: MqttUplink;
  let receiver: Receiver;
  let clips: EventClips;

  after(async () => {
    // Each part gets a bounded time to stop, so a stuck one cannot keep the temp folder from going.
    const bounded = (p: Promise<unknown> | undefined): Promise<unknown> => Promise.race([p?.catch(() => undefined), new Promise((r) => setTimeout(r, 10000).unref())]);
    try {
      await bounded(clips?.stop());
      await bounded(receiver?.stop());
      await bounded(uplink?.stop());
      await bounded(outbox?.close());
      await bounded(broker.dispose());
    } finally {
      tmp.cleanup();
    }
  });

  it('arrives verified and playable, filed under the event id', async () => {
    await broker.start();
    const r = validateConfig({ gateway: { id: 'gw-clips', dataDir: path.join(tmp.dir, 'data') }, mqtt: { url: broker.url } });
    assert.ok(r.ok);
    const config = r.config;
    const identity = loadOrCreateIdentity(config.gateway.dataDir);
    outbox = await Outbox.open({ dir: path.join(config.gateway.dataDir, 'outbox'), config: config.outbox, chunkBytes: config.clips.chunkBytes, sign: (d) => identity.sign(d), logger });
    uplink = new MqttUplink({ mqtt: config.mqtt, gatewayId: 'gw-clips', statusPayload: () => ({ publicKey: identity.publicKeyPem }), logger });
    uplink.start();
    outbox.attach(uplink);
    receiver = new Receiver({ brokerUrl: broker.url, outDir: path.join(tmp.dir, 'central'), gateway: 'gw-clips', clientId: 'central-clips' });
    await receiver.start();

    const bus = new TypedBus<AgentEvents>();
    const recDir = path.join(config.gateway.dataDir, 'recordings');
    clips = new EventClips({
      bus, recordings: new Recordings({ dir: recDir, ...config.recording }), tmpDir: path.join(config.gateway.dataDir, 'tmp', 'clips'),
      settings: config.clips, segmentSeconds: config.recording.segmentSeconds, logger,
      enqueueFile: (kind, file, meta) => outbox.enqueueFile(kind, file, meta),
    });
    clips.start();
    const received = new Promise<{ file: string; eventId: string | null; startTs: string }>((resolve) =>
      receiver.on('clip', (c) => resolve({ file: c.file, eventId: c.meta.eventId, startTs: c.meta.startTs })),
    );
    const rejected = new Promise<string>((resolve) => receiver.on('rejected', (x) => resolve(`${x.code}: ${x.reason}`)));

    const base = Date.now() - 40_000;
    const staged = makeSegments({ video: path.join(VIDEOS_DIR, 'intel_car-detection.mp4'), cameraDir: path.join(tmp.dir, 'staging', 'cam1'), baseMs: base, container: 'ts', maxSeconds: 10 });
    mkdirSync(path.join(recDir, 'cam1'), { recursive: true });
    for (const seg of staged) {
      const file = path.join(recDir, 'cam1', path.basename(seg.path));
      renameSync(seg.path, file);
      bus.emit('camera.segment', { ...seg, path: file });
    }
    bus.emit('detection.event', {
      type: 'end', camera: 'cam1', objectId: 'car-42', label: 'car', score: 0.7, topScore: 0.9, box: normBox(0.2, 0.2, 0.4, 0.4), zones: [],
      startTs: base + 12_000, endTs: base + 16_000, ts: base + 16_000,
    });
    const tooLong = new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`no clip at the receiver within 60 s; outbox ${JSON.stringify(outbox.stats())}, clips ${JSON.stringify(clips.stats())}, receiver ${JSON.stringify(receiver.stats())}`)), 60000).unref());
    const got = await Promise.race([received, rejected.then((why) => assert.fail(`rejected: ${why}`)), tooLong]);
    assert.equal(got.eventId, 'car-42');
    assert.equal(Date.parse(got.startTs), base + 4800, 'key frame at or before startTs - preSeconds (5 s)');
    const media = inspectMedia(got.file);
    assert.equal(media.decodeError, null);
    assert.equal(media.firstIsKeyframe, true);
    assert.ok(media.durationS >= 16, `covers base+4.8 s .. base+21 s: ${media.durationS}`);
  });
});
