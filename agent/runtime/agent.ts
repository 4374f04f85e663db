import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import type { AgentConfig } from '../config/schema/index.js';
import { resolveSecret } from '../config/secrets.js';
import { HEALTH_TOPIC, SELFTEST_TOPIC, type StatusDetails } from '../contract/index.js';
import { TypedBus } from '../core/bus.js';
import { AgentError, toErrorInfo } from '../core/errors.js';
import type { AgentEvents } from '../core/events.js';
import type { Logger } from '../core/logger.js';
import { AGENT_VERSION, INSTALL_ROOT } from '../core/version.js';
import { EventClips } from '../clips/event-clips.js';
import { Recordings } from '../clips/recordings.js';
import { DetectionStage } from '../detection/detection-stage.js';
import { DetectorService } from '../detection/detector/detector-service.js';
import { runDiagnostics } from '../diagnostics/run-diagnostics.js';
import { JobScheduler } from '../diagnostics/scheduler.js';
import { StatusPageServer } from '../diagnostics/status-page/server.js';
import type { DiagReport } from '../diagnostics/report-schema.js';
import { deriveGatewayId } from '../identity/gateway-id.js';
import { loadOrCreateIdentity, type GatewayIdentity } from '../identity/gateway-identity.js';
import { CameraManager } from '../ingest/camera-manager.js';
import { resolveOnvifStreamUri } from '../ingest/onvif/resolve.js';
import { Outbox } from '../outbox/outbox.js';
import { ProvisioningService } from '../provisioning/provisioning-service.js';
import { MqttUplink } from '../uplink/mqtt-uplink.js';
import { AgentControl } from './agent-control.js';
import { buildHealth, type HealthReport } from './health.js';
import { RecentEvents } from './recent-events.js';
import { SwitchableUplink } from './switchable-uplink.js';

/**
 * The running agent: composes ingest → detection → outbox → uplink around one typed bus, plus clips,
 * provisioning, scheduled jobs and the status page. Each subsystem only sees the bus and the narrow
 * interface it needs; this file is the only place that knows them all.
 */
export class Agent {
  readonly bus: TypedBus<AgentEvents>;
  readonly gatewayId: string;
  readonly identity: GatewayIdentity;
  readonly startedAt = Date.now();
  readonly recentEvents = new RecentEvents();
  uplink!: SwitchableUplink;
  outbox!: Outbox;
  cameras!: CameraManager;
  recordings!: Recordings;
  clips!: EventClips;
  detector?: DetectorService;
  detection?: DetectionStage;
  private provisioning?: ProvisioningService;
  private scheduler?: JobScheduler;
  private statusPage?: StatusPageServer;
  private readonly control: AgentControl;
  private readonly unsubscribe: Array<() => void> = [];
  private restartListener?: () => void;
  private healthTimer?: NodeJS.Timeout;

  private constructor(public config: AgentConfig, readonly logger: Logger, private readonly configVersion: number) {
    this.gatewayId = config.gateway.id ?? deriveGatewayId();
    mkdirSync(config.gateway.dataDir, { recursive: true, mode: 0o750 });
    this.identity = loadOrCreateIdentity(config.gateway.dataDir);
    this.bus = new TypedBus<AgentEvents>((event, err) => logger.error({ event, err: toErrorInfo(err) }, 'bus listener failed'));
    this.control = new AgentControl(this);
  }

  /** `configVersion`: the desired-config version `config` came from (0: the config file). */
  static async start(config: AgentConfig, logger: Logger, configVersion = 0): Promise<Agent> {
    const agent = new Agent(config, logger, configVersion);
    try {
      await agent.startSubsystems();
    } catch (err) {
      await agent.stop().catch(() => undefined);
      throw err;
    }
    return agent;
  }

  /** The run command restarts the agent in-process when the `restart` command asks for it. */
  onRestartRequested(listener: () => void): void {
    this.restartListener = listener;
  }

  requestRestart(): void {
    this.restartListener?.();
  }

  private child(subsystem: string): Logger {
    return this.logger.child({ subsystem });
  }

  private async startSubsystems(): Promise<void> {
    const { config } = this;
    const dataDir = config.gateway.dataDir;
    this.outbox = await Outbox.open({
      dir: path.join(dataDir, 'outbox'),
      config: config.outbox,
      chunkBytes: config.clips.chunkBytes,
      sign: (data: Buffer) => this.identity.sign(data),
      logger: this.child('outbox'),
    });
    this.uplink = new SwitchableUplink(this.newMqttUplink(config));
    this.uplink.start();
    this.outbox.attach(this.uplink);

    await this.startDetection(config);
    this.unsubscribe.push(
      this.bus.on('detection.event', (ev) => {
        this.recentEvents.add(ev);
        this.outbox.enqueueEvent(ev).catch((err: unknown) => this.logger.error({ err: toErrorInfo(err, 'OUTBOX_WRITE_FAILED') }, 'event not queued'));
      }),
      this.bus.on('detection.snapshot', (snap) => {
        const ts = new Date(snap.ts).toISOString();
        this.outbox
          .enqueueFile('snapshot', snap.jpeg, { clipId: `snap-${snap.objectId}-${snap.ts.toString(36)}`, camera: snap.camera, eventId: snap.objectId, startTs: ts, endTs: ts, contentType: 'image/jpeg' })
          .catch((err: unknown) => this.logger.error({ err: toErrorInfo(err, 'OUTBOX_WRITE_FAILED') }, 'snapshot not queued'));
      }),
    );

    this.recordings = new Recordings({ dir: path.join(dataDir, 'recordings'), retentionHours: config.recording.retentionHours, maxBytes: config.recording.maxBytes, logger: this.child('recordings') });
    this.clips = new EventClips({
      bus: this.bus,
      recordings: this.recordings,
      enqueueFile: (kind, file, meta) => this.outbox.enqueueFile(kind, file, meta),
      tmpDir: path.join(dataDir, 'clips-tmp'),
      settings: config.clips,
      segmentSeconds: config.recording.segmentSeconds,
      // Events of cameras that do not record get no clip (instead of waiting for one and failing).
      wantsClip: (e) => this.config.cameras.find((c) => c.id === e.camera)?.record.enabled ?? false,
      logger: this.child('clips'),
    });
    this.clips.start();

    this.cameras = new CameraManager({
      cameras: config.cameras,
      dataDir,
      recording: config.recording,
      bus: this.bus,
      logger: this.child('ingest'),
      resolveOnvif: resolveOnvifStreamUri,
    });
    this.cameras.start();

    this.startScheduler(config);

    this.provisioning = new ProvisioningService({
      gatewayId: this.gatewayId,
      config,
      version: this.configVersion,
      dataDir,
      uplink: this.uplink,
      host: this.control,
      identity: this.identity,
      logger: this.child('provisioning'),
    });
    await this.provisioning.start();
    await this.startStatusPage(config);
  }

  private newMqttUplink(config: AgentConfig): MqttUplink {
    return new MqttUplink({ mqtt: config.mqtt, gatewayId: this.gatewayId, statusPayload: () => this.statusPayload(), logger: this.child('uplink') });
  }

  private async startDetection(config: AgentConfig): Promise<void> {
    if (!config.detection.enabled || this.detector) return;
    try {
      this.detector = await DetectorService.load({
        manifestPath: path.resolve(INSTALL_ROOT, config.detection.model),
        threads: config.detection.threads,
        queueSize: config.detection.queueSize,
        logger: this.child('detector'),
      });
    } catch (err) {
      // Without a detector the agent still streams, records and reports; health and diag say why.
      this.logger.error({ err: toErrorInfo(err, 'DETECTOR_UNAVAILABLE') }, 'detector failed to load; running without object detection');
      return;
    }
    this.detection = new DetectionStage({ config, bus: this.bus, detector: this.detector, logger: this.child('detection') });
    this.detection.onProcessed((cameraId: string) => this.cameras?.noteProcessed(cameraId));
  }

  private startScheduler(config: AgentConfig): void {
    const scheduler = new JobScheduler(this.child('scheduler'));
    this.scheduler = scheduler;
    scheduler.add('retention', config.schedules.retention, () => this.recordings.enforceRetention());
    scheduler.add('selfTest', config.schedules.selfTest, async () => {
      const report = await this.diag();
      await this.outbox.enqueueJson('health', SELFTEST_TOPIC, report);
    });
    if (config.health.cron) {
      scheduler.add('health', config.health.cron, () => this.publishHealth());
    } else {
      this.healthTimer = setInterval(() => void this.publishHealth(), config.health.intervalSeconds * 1000);
      void this.publishHealth();
    }
  }

  private async startStatusPage(config: AgentConfig): Promise<void> {
    const sp = config.statusPage;
    if (!sp.enabled) return;
    const password = resolveSecret(sp.password);
    if (!password) throw new AgentError('STATUS_PAGE_NO_PASSWORD', 'the status page is enabled without a password', 'set statusPage.password');
    this.statusPage = new StatusPageServer({ host: sp.host, port: sp.port, password, gatewayId: this.gatewayId, source: this.control, logger: this.child('status-page') });
    const port = await this.statusPage.start();
    this.logger.info({ host: sp.host, port }, 'status page listening');
  }

  statusPayload(): StatusDetails {
    return { gatewayId: this.gatewayId, publicKey: this.identity.publicKeyPem, cameras: this.config.cameras.map((c) => c.id), version: AGENT_VERSION, ...(this.provisioning ? { config: this.provisioning.status() } : {}) };
  }

  async health(): Promise<HealthReport> {
    return buildHealth({
      startedAt: this.startedAt,
      dataDir: this.config.gateway.dataDir,
      cameras: () => this.cameras.stats(),
      detection: this.detection ? () => this.detection!.stats().cameras : undefined,
      detector: this.detector ? () => this.detector!.stats() : undefined,
      outbox: () => this.outbox.stats(),
      uplinkConnected: () => this.uplink.connected,
    });
  }

  private async publishHealth(): Promise<void> {
    try {
      await this.outbox.enqueueJson('health', HEALTH_TOPIC, await this.health());
    } catch (err) {
      this.logger.error({ err: toErrorInfo(err, 'HEALTH_FAILED') }, 'health not queued');
    }
  }

  /** Diagnostics from inside the running agent (MQTT `diag`, status page, daily self-test). */
  diag(): Promise<DiagReport> {
    return runDiagnostics(this.config, { outboxStats: () => this.outbox.stats(), configSource: 'running agent' });
  }

  /**
   * Switches the running agent to `next`: cameras and detection are updated in place (new and
   * changed cameras start while unchanged ones keep streaming), the broker connection is replaced
   * when its settings changed, and scheduled jobs and the status page pick up their new settings.
   */
  async applyConfig(next: AgentConfig): Promise<void> {
    const prev = this.config;
    if (prev.gateway.dataDir !== next.gateway.dataDir || (next.gateway.id ?? this.gatewayId) !== this.gatewayId) {
      throw new AgentError('CONFIG_NOT_APPLICABLE', 'gateway.id and gateway.dataDir cannot change at run time', 'reflash the gateway to change its identity or data folder');
    }
    this.config = next;
    if (!isDeepStrictEqual(prev.mqtt, next.mqtt)) await this.uplink.replace(this.newMqttUplink(next));
    await this.startDetection(next);
    this.detection?.update(next);
    this.recordings.update(next.recording);
    this.clips.update(next.clips, next.recording.segmentSeconds);
    await this.cameras.update(next.cameras, next.recording);
    if (!isDeepStrictEqual(prev.schedules, next.schedules) || !isDeepStrictEqual(prev.health, next.health)) {
      this.stopScheduler();
      this.startScheduler(next);
    }
    if (!isDeepStrictEqual(prev.statusPage, next.statusPage)) {
      await this.statusPage?.stop();
      this.statusPage = undefined;
      await this.startStatusPage(next);
    }
  }

  private stopScheduler(): void {
    this.scheduler?.stop();
    this.scheduler = undefined;
    clearInterval(this.healthTimer);
  }

  async stop(): Promise<void> {
    this.stopScheduler();
    await this.statusPage?.stop();
    await this.provisioning?.stop();
    await this.cameras?.stop();
    // Detection ends its open tracks on stop: those end events and snapshots still go to the outbox.
    await this.detection?.stop();
    await this.clips?.stop();
    for (const off of this.unsubscribe.splice(0)) off();
    await this.detector?.close();
    await this.outbox?.close();
    await this.uplink?.stop();
    await this.control.close();
  }
}
