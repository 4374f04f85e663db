import type { AgentConfig } from '../config/schema/index.js';
import { redactUrlCredentials } from '../config/secrets.js';
import { AgentError } from '../core/errors.js';
import { AGENT_VERSION } from '../core/version.js';
import { newClipId } from '../clips/event-clips.js';
import { clipMetaTopic, under } from '../contract/index.js';
import { SnapshotEncoder } from '../detection/snapshot/encoder.js';
import type { DetectionStage, LatestDetection } from '../detection/detection-stage.js';
import type { DetectorStats } from '../detection/detector/detector-service.js';
import type { NormBox } from '../core/object-event.js';
import type { EventClips } from '../clips/event-clips.js';
import type { DiagReport, MeasuredCapacity } from '../diagnostics/report-schema.js';
import type { AgentStatus, CameraStatus, RecentEvent, StatusSource } from '../diagnostics/status-page/types.js';
import type { CameraManager } from '../ingest/camera-manager.js';
import type { OutboxWriter } from '../outbox/types.js';
import type { CommandData, HealthVerdict, ProvisioningHost } from '../provisioning/host.js';
import type { Uplink } from '../uplink/types.js';

/** The parts of the running agent the control surface reads; functions where the part restarts. */
export interface AgentControlDeps {
  gatewayId: string;
  startedAt: number;
  /** The running config. */
  config: () => AgentConfig;
  applyConfig: (config: AgentConfig) => Promise<void>;
  cameras: Pick<CameraManager, 'stats' | 'setEnabled' | 'latestFrame'>;
  uplink: Pick<Uplink, 'connected' | 'root'>;
  outbox: () => Pick<OutboxWriter, 'enqueueFile' | 'stats'>;
  clips: () => Pick<EventClips, 'requestClip'>;
  /** Undefined while detection does not run. */
  detection: () => Pick<DetectionStage, 'stats' | 'latest'> | undefined;
  detectorStats: () => DetectorStats | undefined;
  recentEvents: () => RecentEvent[];
  diag: () => Promise<DiagReport>;
  /** The last diag run's capacity estimate; undefined before the first. */
  capacity: () => MeasuredCapacity | undefined;
  /** Asks the run command to restart the agent in-process. */
  restart: () => void;
}

/**
 * What provisioning (commands, config apply/rollback) and the status page may ask of the running
 * agent — one narrow surface over the agent's parts.
 */
export class AgentControl implements ProvisioningHost, StatusSource {
  private readonly encoder = new SnapshotEncoder();
  /**
   * Cameras switched by `camera/enable`/`camera/disable`: runtime state until the next applied
   * config. Never written into the running config: that is what was pushed, and `config/reported`,
   * `config/get` and the status carry its hash; the camera's state is in health and status.
   */
  private readonly switched = new Map<string, boolean>();

  constructor(private readonly agent: AgentControlDeps) {}

  applyConfig(config: AgentConfig): Promise<void> {
    this.switched.clear();
    return this.agent.applyConfig(config);
  }

  /** Healthy = every enabled camera streaming and the broker connected. */
  async isHealthy(): Promise<HealthVerdict> {
    const problems: string[] = [];
    const stats = this.agent.cameras.stats();
    for (const cam of this.agent.config().cameras) {
      if (!(this.switched.get(cam.id) ?? cam.enabled)) continue;
      const s = stats[cam.id];
      if (s?.state !== 'streaming') problems.push(`camera ${cam.id} is ${s?.state ?? 'missing'}${s?.lastError ? ` (${s.lastError.code})` : ''}`);
    }
    if (!this.agent.uplink.connected) problems.push('broker not reachable');
    return problems.length ? { ok: false, reason: problems.join('; ') } : { ok: true };
  }

  async setCameraEnabled(cameraId: string, enabled: boolean): Promise<void> {
    if (!this.agent.config().cameras.some((c) => c.id === cameraId)) throw new AgentError('CAMERA_UNKNOWN', `no camera "${cameraId}"`, 'use an id from config/get');
    this.switched.set(cameraId, enabled);
    await this.agent.cameras.setEnabled(cameraId, enabled);
  }

  /** The camera's latest frame as a JPEG, delivered like a clip (chunked, signed) through the outbox. */
  async snapshot(cameraId: string): Promise<CommandData> {
    const jpeg = await this.snapshotJpeg(cameraId);
    if (!jpeg) throw new AgentError('CAMERA_NO_FRAME', `camera "${cameraId}" has no frame yet`, 'check the camera state in health or diag');
    const ts = new Date().toISOString();
    const clipId = `snap-${newClipId()}`;
    await this.agent.outbox().enqueueFile('snapshot', jpeg, { clipId, camera: cameraId, startTs: ts, endTs: ts, contentType: 'image/jpeg' });
    return { clipId, bytes: jpeg.length, topic: under(this.agent.uplink.root, clipMetaTopic(clipId)) };
  }

  async requestClip(cameraId: string, fromMs: number, toMs: number): Promise<CommandData> {
    if (!this.agent.config().cameras.some((c) => c.id === cameraId)) throw new AgentError('CAMERA_UNKNOWN', `no camera "${cameraId}"`, 'use an id from config/get');
    const clipId = this.agent.clips().requestClip(cameraId, fromMs, toMs);
    return { clipId, topic: under(this.agent.uplink.root, clipMetaTopic(clipId)) };
  }

  async diag(): Promise<CommandData> {
    return { ...(await this.agent.diag()) };
  }

  async restart(): Promise<void> {
    this.agent.restart();
  }

  async status(): Promise<AgentStatus> {
    const a = this.agent;
    const cams = a.cameras.stats();
    const config = a.config();
    const detection = a.detection();
    const det = detection?.stats().cameras ?? {};
    const ob = a.outbox().stats();
    const detector = a.detectorStats();
    const capacity = a.capacity();
    return {
      gatewayId: a.gatewayId,
      version: AGENT_VERSION,
      uptimeS: Math.round((Date.now() - a.startedAt) / 1000),
      uplink: { connected: a.uplink.connected, broker: redactUrlCredentials(config.mqtt.url) },
      cameras: config.cameras.map((c) => ({
        id: c.id,
        ...(c.name ? { name: c.name } : {}),
        ...(cams[c.id] ?? { state: 'offline' as const, fpsIn: 0, dropped: 0, reconnects: 0, lastFrameAgeMs: null, decoder: 'none', segmentRenameFailures: 0 }),
        ...(det[c.id] ? { detectFps: det[c.id].detectFps, motionPercent: det[c.id].motionPercent, skipped: det[c.id].skipped } : {}),
        boxes: detection?.latest(c.id)?.boxes ?? [],
        ...overlay(c, detection?.latest(c.id)?.lineCounts, det[c.id]?.zoneOccupancy),
      })),
      ...(detector ? { detector } : {}),
      ...(capacity ? { capacity } : {}),
      outbox: ob,
      recentEvents: a.recentEvents(),
    };
  }

  diagReport(): Promise<DiagReport> {
    return this.agent.diag();
  }

  async snapshotJpeg(cameraId: string): Promise<Buffer | undefined> {
    const frame = this.agent.cameras.latestFrame(cameraId);
    if (!frame) return undefined;
    const boxes: NormBox[] = (this.agent.detection()?.latest(cameraId)?.boxes ?? []).map((b) => b.box);
    return this.encoder.encode(frame, boxes);
  }

  close(): Promise<void> {
    return this.encoder.close();
  }
}

/** The status page's drawing of a camera's lines and zones, with the running counts and the occupancy. */
function overlay(c: AgentConfig['cameras'][number], counts: LatestDetection['lineCounts'], occupancy: Record<string, Record<string, number>> | undefined): Partial<CameraStatus> {
  const out: Partial<CameraStatus> = {};
  if (c.lines.length > 0) {
    out.lines = c.lines.map((l) => ({ name: l.name, from: l.from, to: l.to, counts: counts?.counts[l.name] ?? {} }));
    if (counts) out.countsFrom = counts.from;
  }
  if (c.zones.length > 0) out.zones = c.zones.map((z) => ({ name: z.name, polygon: z.polygon, occupancy: occupancy?.[z.name] ?? {} }));
  return out;
}
