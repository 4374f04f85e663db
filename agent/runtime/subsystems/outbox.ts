import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import type { AgentConfig } from '../../config/schema/index.js';
import type { TypedBus } from '../../core/bus.js';
import { toErrorInfo } from '../../core/errors.js';
import type { AgentEvents } from '../../core/events.js';
import type { Logger } from '../../core/logger.js';
import { notRunning, SubsystemBase, type ApplyOutcome } from '../../core/subsystem.js';
import type { ObjectEvent } from '../../core/object-event.js';
import { COUNTS_TOPIC, countsPayload } from '../../contract/index.js';
import { Outbox } from '../../outbox/outbox.js';
import type { OutboxWriteHealth } from '../../outbox/types.js';
import type { Uplink } from '../../uplink/types.js';

export interface OutboxSubsystemDeps {
  /** The running config (the runtime switches it before `apply`). */
  config: () => AgentConfig;
  bus: TypedBus<AgentEvents>;
  uplink: Uplink;
  sign: (data: Buffer) => string;
  /** Every detection event, as it is queued (the status page's recent events). */
  onEvent: (ev: ObjectEvent) => void;
  logger: Logger;
  /** On a full disk: frees room outside the outbox (the clips subsystem's oldest recordings); 0 when it cannot. */
  reclaim: (bytes: number) => number;
}

/**
 * The outbox as a subsystem: opens the LevelDB store, drains it through the uplink, and queues the
 * detection events, line counts and snapshots from the bus. Its settings (and clips.chunkBytes, the chunk size
 * of file transfers) are read when the store opens, so a change to them is a restart.
 */
export class OutboxSubsystem extends SubsystemBase {
  readonly name = 'outbox';
  private outbox?: Outbox;

  constructor(private readonly deps: OutboxSubsystemDeps) {
    super();
  }

  /** The open outbox (throws SUBSYSTEM_NOT_RUNNING while stopped). */
  get writer(): Outbox {
    if (!this.outbox) throw notRunning(this.name);
    return this.outbox;
  }

  /** The open outbox's write health; undefined while stopped. */
  writeHealth(): OutboxWriteHealth | undefined {
    return this.outbox?.stats();
  }

  async start(): Promise<void> {
    const { config: running, bus, uplink, sign, onEvent, logger, reclaim } = this.deps;
    const config = running();
    const outbox = await Outbox.open({ dir: path.join(config.gateway.dataDir, 'outbox'), config: config.outbox, chunkBytes: config.clips.chunkBytes, sign, logger, store: { reclaim } });
    this.outbox = outbox;
    outbox.attach(uplink);
    const notQueued = (what: string) => (err: unknown) => logger.error({ err: toErrorInfo(err, 'OUTBOX_WRITE_FAILED') }, `${what} not queued`);
    this.track(
      bus.on('detection.event', (ev) => {
        onEvent(ev);
        outbox.enqueueEvent(ev).catch(notQueued('event'));
      }),
      bus.on('detection.counts', (report) => {
        outbox.enqueueJson('event', COUNTS_TOPIC, countsPayload(report)).catch(notQueued('line counts'));
      }),
      bus.on('detection.snapshot', (snap) => {
        const ts = new Date(snap.ts).toISOString();
        outbox
          .enqueueFile('snapshot', snap.jpeg, { clipId: `snap-${snap.objectId}-${snap.ts.toString(36)}`, camera: snap.camera, eventId: snap.objectId, startTs: ts, endTs: ts, contentType: 'image/jpeg' })
          .catch(notQueued('snapshot'));
      }),
    );
  }

  override async stop(): Promise<void> {
    await super.stop();
    const outbox = this.outbox;
    this.outbox = undefined;
    await outbox?.close();
  }

  override async apply(next: AgentConfig, prev: AgentConfig): Promise<ApplyOutcome> {
    return isDeepStrictEqual(next.outbox, prev.outbox) && next.clips.chunkBytes === prev.clips.chunkBytes ? 'live' : 'restart';
  }
}
