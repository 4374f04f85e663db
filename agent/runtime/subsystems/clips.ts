import path from 'node:path';
import type { AgentConfig } from '../../config/schema/index.js';
import type { TypedBus } from '../../core/bus.js';
import type { AgentEvents } from '../../core/events.js';
import type { Logger } from '../../core/logger.js';
import { notRunning, SubsystemBase, type ApplyOutcome } from '../../core/subsystem.js';
import { EventClips, type EventClipsOptions } from '../../clips/event-clips.js';
import { Recordings } from '../../clips/recordings.js';

export interface ClipsSubsystemDeps {
  /** The running config (the runtime switches it before `apply`). */
  config: () => AgentConfig;
  bus: TypedBus<AgentEvents>;
  enqueueFile: EventClipsOptions['enqueueFile'];
  child: (subsystem: string) => Logger;
}

/**
 * Recordings (the segment index and its retention) and event/on-demand clips. Retention, clip and
 * segment-length settings are taken live; chunkBytes belongs to the outbox.
 */
export class ClipsSubsystem extends SubsystemBase {
  readonly name = 'clips';
  private parts?: { recordings: Recordings; clips: EventClips };

  constructor(private readonly deps: ClipsSubsystemDeps) {
    super();
  }

  get recordings(): Recordings {
    return this.running().recordings;
  }

  /** The recordings index while clips runs (the outbox asks it for room on a full disk, also while clips is down). */
  recordingsIfRunning(): Recordings | undefined {
    return this.parts?.recordings;
  }

  get clips(): EventClips {
    return this.running().clips;
  }

  async start(): Promise<void> {
    const { config: running, bus, enqueueFile, child } = this.deps;
    const config = running();
    const dataDir = config.gateway.dataDir;
    const recordings = new Recordings({ dir: path.join(dataDir, 'recordings'), retentionHours: config.recording.retentionHours, maxBytes: config.recording.maxBytes, logger: child('recordings') });
    const clips = new EventClips({
      bus,
      recordings,
      enqueueFile,
      tmpDir: path.join(dataDir, 'clips-tmp'),
      settings: config.clips,
      segmentSeconds: config.recording.segmentSeconds,
      // Events of cameras that do not record get no clip (instead of waiting for one and failing).
      wantsClip: (e) => running().cameras.find((c) => c.id === e.camera)?.record.enabled ?? false,
      logger: child('clips'),
    });
    clips.start();
    this.parts = { recordings, clips };
  }

  override async stop(): Promise<void> {
    const parts = this.parts;
    this.parts = undefined;
    await parts?.clips.stop();
    await super.stop();
  }

  override async apply(next: AgentConfig): Promise<ApplyOutcome> {
    this.parts?.recordings.update(next.recording);
    this.parts?.clips.update(next.clips, next.recording.segmentSeconds);
    return 'live';
  }

  private running(): { recordings: Recordings; clips: EventClips } {
    if (!this.parts) throw notRunning(this.name);
    return this.parts;
  }
}
