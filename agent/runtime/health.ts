import type { CameraStats } from '../ingest/types.js';
import type { OutboxStats } from '../outbox/types.js';
import type { ErrorInfo } from '../core/errors.js';
import type { StartupInfo } from './startup-config.js';
import { readSystemMetrics, type SystemMetrics } from './system-metrics.js';

import type { CameraDetectionStats } from '../detection/detection-stage.js';
import type { DetectorStats } from '../detection/detector/detector-service.js';

import type { MeasuredCapacity } from '../diagnostics/report-schema.js';

type DetectorHealth = DetectorStats;

export interface HealthSources {
  startedAt: number;
  dataDir: string;
  cameras: () => Record<string, CameraStats>;
  detection?: () => Record<string, CameraDetectionStats>;
  detector?: () => DetectorHealth | undefined;
  outbox?: () => OutboxStats;
  uplinkConnected: () => boolean;
  startup?: StartupInfo;
  capacity?: () => MeasuredCapacity | undefined;
  /** Optional parts that are not working although configured (the agent runs without them). */
  degraded?: () => DegradedPart[];
}

/** An optional part the agent runs without, and why (e.g. the status page cannot bind its port). */
export interface DegradedPart extends ErrorInfo {
  part: string;
}

export interface HealthReport {
  ts: string;
  uptimeS: number;
  cameras: Record<string, CameraStats & Partial<CameraDetectionStats>>;
  detector?: DetectorHealth;
  /** Known once a diag run (daily self-test, status page, MQTT `diag`) measured the model on this box. */
  capacity?: MeasuredCapacity;
  outbox?: OutboxStats;
  uplink: { connected: boolean };
  system: SystemMetrics;
  /** Which start-up config runs (last-good, previous, file, bootstrap) and what was passed over. */
  startup?: StartupInfo;
  /** Present when an optional part is down; a camera's own failure is in its `lastError`. */
  degraded?: DegradedPart[];
}

/** The `health` payload: camera, detector, outbox and system figures in one document. */
export async function buildHealth(src: HealthSources): Promise<HealthReport> {
  const cams = src.cameras();
  const det = src.detection?.() ?? {};
  const cameras: HealthReport['cameras'] = {};
  for (const [id, stats] of Object.entries(cams)) cameras[id] = { ...stats, ...det[id] };
  const detector = src.detector?.();
  const degraded = src.degraded?.() ?? [];
  const capacity = src.capacity?.();
  return {
    ts: new Date().toISOString(),
    uptimeS: Math.round((Date.now() - src.startedAt) / 1000),
    cameras,
    ...(detector ? { detector } : {}),
    ...(capacity ? { capacity } : {}),
    ...(src.outbox ? { outbox: src.outbox() } : {}),
    uplink: { connected: src.uplinkConnected() },
    system: await readSystemMetrics(src.dataDir),
    ...(src.startup ? { startup: src.startup } : {}),
    ...(degraded.length ? { degraded } : {}),
  };
}
