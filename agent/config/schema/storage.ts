import { Type } from '@sinclair/typebox';

export const RecordingSection = Type.Object(
  {
    segmentSeconds: Type.Integer({ minimum: 2, maximum: 600, default: 10 }),
    retentionHours: Type.Number({ minimum: 0.01, default: 24 }),
    maxBytes: Type.Integer({ minimum: 1048576, default: 4294967296, description: 'recordings of all cameras together' }),
  },
  // A new segment length restarts the recording cameras' processes.
  { additionalProperties: false, default: {}, 'x-apply': 'live' },
);

export const ClipsSection = Type.Object(
  {
    preSeconds: Type.Number({ minimum: 0, maximum: 120, default: 5 }),
    postSeconds: Type.Number({ minimum: 0, maximum: 120, default: 5 }),
    chunkBytes: Type.Integer({ minimum: 1024, maximum: 131072, default: 131072, description: 'largest chunk message of a file transfer (read by the outbox when it opens)', 'x-apply': 'restart' }),
    maxSeconds: Type.Number({ minimum: 1, default: 300, description: 'longest clip an event or a request may cut' }),
    onEvents: Type.Boolean({ default: true, description: 'cut and send a clip for every ended event of a recording camera (requested clips work either way)' }),
  },
  { additionalProperties: false, default: {}, 'x-apply': 'live' },
);

export const OutboxSection = Type.Object(
  {
    quotaBytes: Type.Integer({ minimum: 1048576, default: 2147483648, description: 'disk the backlog may use (default 2 GiB, sized for an SD card)' }),
    sync: Type.Union([Type.Literal('always'), Type.Literal('interval'), Type.Literal('never')], {
      default: 'interval',
      description: 'what a power cut may lose (a crashed process loses nothing either way): always = nothing confirmed (fsync before each enqueue resolves, group-committed); interval = up to syncIntervalMs; never = whatever the OS had not written back (~30 s)',
    }),
    syncIntervalMs: Type.Integer({ minimum: 10, default: 1000, description: 'with sync "interval": the longest time confirmed items may sit unsynced' }),
    inflight: Type.Integer({ minimum: 1, maximum: 1000, default: 32, description: 'unacknowledged publishes at once while draining (never more than the broker\'s receive maximum)' }),
    bandwidthBytesPerSecond: Type.Integer({ minimum: 0, default: 0, description: 'upload cap for the outbox drain in bytes/s (one second of burst); 0 = no cap' }),
  },
  // Read when the store opens: a change reopens it (in-process restart).
  { additionalProperties: false, default: {}, 'x-apply': 'restart' },
);
