import { Type, type Static } from '@sinclair/typebox';
import type { HealthReport } from '../../runtime/health.js';
import { ErrorInfo, IsoTime, MessageId, Strict, type Assert, type SameKeys } from './common.js';
import { DegradedPartSchema, StartupInfoSchema } from './startup.js';
import { DetectorCapacitySchema } from '../../diagnostics/report-schema.js';

const Count = (description: string) => Type.Integer({ minimum: 0, description });
const NumberOrNull = (description: string) => Type.Union([Type.Number(), Type.Null()], { description });

const CameraHealth = Type.Object(
  {
    state: Type.Union([Type.Literal('streaming'), Type.Literal('connecting'), Type.Literal('offline'), Type.Literal('disabled')], { description: 'docs/ingest.md' }),
    fpsIn: Type.Number({ description: 'frames per second delivered by the camera process (5 s window)' }),
    dropped: Count('frames lost in ingest since start'),
    reconnects: Count('camera restarts'),
    lastFrameAgeMs: NumberOrNull('age of the newest frame (null before the first)'),
    decoder: Type.String({ description: 'software, v4l2, nvv4l2 or raw' }),
    segmentRenameFailures: Count('closed recording segments that could not get their final name since start (CAMERA_SEGMENT_RENAME_FAILED)'),
    lastError: Type.Optional(ErrorInfo),
    detectFps: Type.Optional(Type.Number({ description: 'frames fully processed (motion, detection, tracking) per second (5 s window; only on cameras with detection on)' })),
    motionPercent: Type.Optional(Type.Number({ description: 'moving share of the last processed frame, 0..100' })),
    skipped: Type.Optional(Count('frames not detected for lack of detector time')),
    overRate: Type.Optional(Count('frames over detect.fps')),
    processed: Type.Optional(Count('frames fully processed since start')),
    scheduled: Type.Optional(Type.Boolean({ description: 'inside detect.schedule now (docs/detection.md)' })),
    zoneOccupancy: Type.Optional(Type.Record(Type.String(), Type.Record(Type.String(), Type.Integer({ minimum: 0 })), { description: 'per zone, objects in it now per label (cameras with zones)' })),
  },
  { ...Strict, description: 'per camera id; the detection fields only when detection runs' },
);

const Evicted = Type.Object(
  { clip: Count(''), snapshot: Count(''), event: Count(''), health: Count(''), response: Count('') },
  { ...Strict, description: 'messages dropped per kind under quota since start' },
);

export const HealthMessageSchema = Type.Object(
  {
    id: MessageId,
    ts: IsoTime('when it was made'),
    uptimeS: Count('agent uptime in s'),
    cameras: Type.Record(Type.String(), CameraHealth),
    detector: Type.Optional(
      Type.Object(
        {
          inferenceMsP50: NumberOrNull('inference ms, median'),
          inferenceMsP95: NumberOrNull('inference ms, 95th percentile'),
          queueDepth: Count('jobs waiting'),
          dropped: Count('jobs dropped'),
          inferences: Count('inferences run'),
          inferenceMsTotal: Type.Optional(Count('ms spent in inference since start (windows vary in size: this, not p50 x inferences, is the detector\'s time)')),
          inferenceMsByCamera: Type.Optional(Type.Record(Type.String(), Count(''), { description: 'inferenceMsTotal per camera id: which scene costs the detector what' })),
        },
        { ...Strict, description: 'the shared ONNX detector (docs/detector.md); absent without detection' },
      ),
    ),
    outbox: Type.Optional(
      Type.Object(
        {
          pending: Count('messages waiting'),
          bytes: Count('bytes waiting'),
          oldestAgeS: Type.Number({ minimum: 0, description: 'age of the oldest in s' }),
          evicted: Evicted,
          writeFailures: Count('writes the store could not commit since start (refused enqueues, failed deletes): a full or failing data disk'),
          writable: Type.Boolean({ description: 'false from a failed write until the outbox reopened its database: enqueues are refused meanwhile' }),
          lastError: Type.Optional(
            Type.Object(
              { ...ErrorInfo.properties, ts: IsoTime('when it failed') },
              { ...Strict, description: 'the newest write failure (OUTBOX_DISK_FULL, OUTBOX_WRITE_FAILED, OUTBOX_REOPEN_FAILED)' },
            ),
          ),
        },
        { ...Strict, description: 'docs/outbox.md' },
      ),
    ),
    uplink: Type.Object({ connected: Type.Boolean({ description: 'broker reachable when the report was made: false in reports buffered during an outage' }) }, Strict),
    system: Type.Object(
      {
        cpuLoadPercent: Type.Number({ description: 'busy share of all cores since the previous report' }),
        loadAvg1: Type.Number({ description: 'load average, 1 min' }),
        memUsedMB: Type.Number({ description: 'total − MemAvailable (page cache is not counted)' }),
        memTotalMB: Type.Number(),
        diskFreeMB: NumberOrNull('of the disk holding dataDir'),
        diskTotalMB: NumberOrNull('of the disk holding dataDir'),
        agentRssMB: Type.Number({ description: "the agent process's resident memory" }),
        agentMainThreadBusyPercent: Type.Optional(Type.Number({ minimum: 0, maximum: 100, description: "share of the time since the previous report the agent's main thread (motion, tracking, camera IPC, MQTT, clips) was busy: near 100, frames wait for it" })),
      },
      { ...Strict, description: 'read from the kernel (/proc, statfs) without starting a process: a child forks the whole agent and stalls inference' },
    ),
    startup: Type.Optional(StartupInfoSchema),
    capacity: Type.Optional(
      Type.Object(
        { ...DetectorCapacitySchema.properties, measuredAt: IsoTime('when the diag run measured it') },
        { ...Strict, description: 'once a diag run measured the model since start (daily self-test, status page, MQTT diag): model variant, inference ms on this box, cameras it carries in busy scenes (docs/diagnostics.md, "Capacity")' },
      ),
    ),
    degraded: Type.Optional(Type.Array(DegradedPartSchema, { description: 'only while an optional part is down' })),
  },
  { ...Strict, title: 'health' },
);
export type HealthMessage = Static<typeof HealthMessageSchema>;
export type HealthBody = Omit<HealthMessage, 'id'>;

// The runtime's report must fit the wire schema, field for field (fails to compile otherwise).
export type HealthReportFitsTheWire = Assert<HealthReport extends HealthBody ? true : false>;
export type HealthReportHasTheWireFields = Assert<SameKeys<HealthReport, HealthBody>>;
type CameraReport = HealthReport['cameras'][string];
export type CameraReportHasTheWireFields = Assert<SameKeys<CameraReport, HealthBody['cameras'][string]>>;
