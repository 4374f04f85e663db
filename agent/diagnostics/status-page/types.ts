import type { NormBox } from '../../core/object-event.js';
import type { CameraStats } from '../../ingest/types.js';
import type { OutboxStats } from '../../outbox/types.js';
import type { DetectorStats } from '../../detection/detector/detector-service.js';
import type { DiagReport, MeasuredCapacity } from '../report-schema.js';

/** One camera as the status page shows it. */
export interface CameraStatus extends CameraStats {
  id: string;
  name?: string;
  detectFps?: number;
  motionPercent?: number;
  skipped?: number;
  /** Boxes of the latest processed frame, 0..1 of the frame. */
  boxes: Array<{ label: string; score: number; box: NormBox }>;
  /** Counting lines (0..1 of the frame) with the running interval's counts per label, since `countsFrom`. */
  lines?: Array<{ name: string; from: readonly [number, number]; to: readonly [number, number]; counts: Record<string, { ab: number; ba: number }> }>;
  countsFrom?: string;
  /** Zones (0..1 polygons) with the tracks inside now, per label. */
  zones?: Array<{ name: string; polygon: ReadonlyArray<readonly [number, number]>; occupancy: Record<string, number> }>;
}

export interface RecentEvent {
  ts: string;
  type: string;
  camera: string;
  label: string;
  score: number;
  objectId: string;
}

export interface AgentStatus {
  gatewayId: string;
  version: string;
  uptimeS: number;
  uplink: { connected: boolean; broker: string };
  cameras: CameraStatus[];
  detector?: DetectorStats;
  /** The last diag run's estimate (docs/diagnostics.md, "Capacity"); absent before the first. */
  capacity?: MeasuredCapacity;
  outbox?: OutboxStats;
  recentEvents: RecentEvent[];
}

/** What the status page needs from the running agent (implemented in agent/runtime/). */
export interface StatusSource {
  status(): Promise<AgentStatus>;
  diagReport(): Promise<DiagReport>;
  /** The camera's latest frame as a JPEG with the latest detection boxes drawn; undefined if no frame yet. */
  snapshotJpeg(cameraId: string): Promise<Buffer | undefined>;
}
