import { Type } from '@sinclair/typebox';

export const RecordingSection = Type.Object(
  {
    segmentSeconds: Type.Integer({ minimum: 2, maximum: 600, default: 10 }),
    retentionHours: Type.Number({ minimum: 0.01, default: 24 }),
    maxBytes: Type.Integer({ minimum: 1048576, default: 4294967296, description: 'recordings of all cameras together' }),
  },
  { additionalProperties: false, default: {} },
);

export const ClipsSection = Type.Object(
  {
    preSeconds: Type.Number({ minimum: 0, maximum: 120, default: 5 }),
    postSeconds: Type.Number({ minimum: 0, maximum: 120, default: 5 }),
    chunkBytes: Type.Integer({ minimum: 1024, maximum: 131072, default: 131072 }),
    maxSeconds: Type.Number({ minimum: 1, default: 300, description: 'longest clip an event or a request may cut' }),
    onEvents: Type.Boolean({ default: true, description: 'cut and send a clip for every ended event of a recording camera (requested clips work either way)' }),
  },
  { additionalProperties: false, default: {} },
);

export const OutboxSection = Type.Object(
  {
    quotaBytes: Type.Integer({ minimum: 1048576, default: 2147483648, description: 'disk the backlog may use (default 2 GiB, sized for an SD card)' }),
    sync: Type.Union([Type.Literal('always'), Type.Literal('interval'), Type.Literal('never')], {
      default: 'interval',
      description: 'always: fsync every write; interval: fsync at most every syncIntervalMs; never: leave it to the OS',
    }),
    syncIntervalMs: Type.Integer({ minimum: 10, default: 1000 }),
    inflight: Type.Integer({ minimum: 1, maximum: 1000, default: 32, description: 'unacknowledged publishes at once while draining' }),
    bandwidthBytesPerSecond: Type.Integer({ minimum: 0, default: 0, description: '0 = no cap' }),
  },
  { additionalProperties: false, default: {} },
);
