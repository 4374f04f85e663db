import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { AgentConfig } from '../config/schema/index.js';
import { TypedBus } from '../core/bus.js';
import { toErrorInfo } from '../core/errors.js';
import type { AgentEvents } from '../core/events.js';
import type { Logger } from '../core/logger.js';
import { AGENT_VERSION, INSTALL_ROOT } from '../core/version.js';
import { deriveGatewayId } from '../identity/gateway-id.js';
import { loadOrCreateIdentity, type GatewayIdentity } from '../identity/gateway-identity.js';
import { CameraManager } from '../ingest/camera-manager.js';
import { resolveOnvifStreamUri } from '../ingest/onvif/resolve.js';
import { DetectorService } from '../detection/detector/detector-service.js';
import { DetectionStage } from '../detection/detection-stage.js';
import { Outbox } from '../outbox/outbox.js';
import { MqttUplink } from '../uplink/mqtt-uplink.js';
import { buildHealth, type HealthReport } from './health.js';
import { HealthSchedule } from './health-schedule.js';

/**
 * The running agent: composes ingest → detection → outbox → uplink around one typed bus. Each
 * subsystem only sees the bus and the narrow interface it needs; this file is the only place that
 * knows them all.
 */
export class Agent {
  readonly bus: TypedBus<AgentEvents>;
  readonly gatewayId: string;
  readonly identity: GatewayIdentity;
  readonly startedAt = Date.now();
  private uplink!: MqttUplink;
  private outbox!: Outbox;
  private cameras!: CameraManager;
  private detector?: DetectorService;
  private detection?: DetectionStage;
  private healthSchedule?: HealthSchedule;
  private readonly unsubscribe: Array<() => void> = [];

  private constructor(public config: AgentConfig, private readonly logger: Logger) {
    this.gatewayId = config.gateway.id ?? deriveGatewayId();
    mkdirSync(config.gateway.dataDir, { recursive: true, mode: 0o750 });
    this.identity = loadOrCreateIdentity(config.gateway.dataDir);
    this.bus = new TypedBus<AgentEvents>((event, err) => logger.error({ event, err: toErrorInfo(err) }, 'bus listener failed'));
  }

  static async start(config: AgentConfig, logger: Logger): Promise<Agent> {
    const agent = new Agent(config, logger);
    await agent.startSubsystems();
    return agent;
  }

  private async startSubsystems(): Promise<void> {
    const { config, logger } = this;
    this.outbox = await Outbox.open({
      dir: path.join(config.gateway.dataDir, 'outbox'),
      config: config.outbox,
      chunkBytes: config.clips.chunkBytes,
      sign: (data: Buffer) => this.identity.sign(data),
      logger: logger.child({ subsystem: 'outbox' }),
    });
    this.uplink = new MqttUplink({
      mqtt: config.mqtt,
      gatewayId: this.gatewayId,
      statusPayload: () => this.statusPayload(),
      logger: logger.child({ subsystem: 'uplink' }),
    });
    this.uplink.start();
    this.outbox.attach(this.uplink);

    if (config.detection.enabled) {
      try {
        this.detector = await DetectorService.load({
          manifestPath: path.resolve(INSTALL_ROOT, config.detection.model),
          threads: config.detection.threads,
          queueSize: config.detection.queueSize,
          logger: logger.child({ subsystem: 'detector' }),
        });
      } catch (err) {
        // Without a detector the agent still streams, records and reports; health says why.
        logger.error({ err: toErrorInfo(err, 'DETECTOR_UNAVAILABLE') }, 'detector failed to load; running without object detection');
      }
    }
    if (this.detector) {
      this.detection = new DetectionStage({ config, bus: this.bus, detector: this.detector, logger: logger.child({ subsystem: 'detection' }) });
    }

    this.unsubscribe.push(
      this.bus.on('detection.event', (ev) => {
        this.outbox.enqueueEvent(ev).catch((err: unknown) => logger.error({ err: toErrorInfo(err, 'OUTBOX_WRITE_FAILED') }, 'event not queued'));
      }),
      this.bus.on('detection.snapshot', (snap) => {
        const ts = new Date(snap.ts).toISOString();
        this.outbox
          .enqueueFile('snapshot', snap.jpeg, { clipId: `snap-${snap.objectId}`, camera: snap.camera, eventId: snap.objectId, startTs: ts, endTs: ts, contentType: 'image/jpeg' })
          .catch((err: unknown) => logger.error({ err: toErrorInfo(err, 'OUTBOX_WRITE_FAILED') }, 'snapshot not queued'));
      }),
    );

    this.cameras = new CameraManager({
      cameras: config.cameras,
      dataDir: config.gateway.dataDir,
      recording: config.recording,
      bus: this.bus,
      logger: logger.child({ subsystem: 'ingest' }),
      resolveOnvif: resolveOnvifStreamUri,
    });
    this.detection?.onProcessed((cameraId: string) => this.cameras.noteProcessed(cameraId));
    this.cameras.start();

    this.healthSchedule = new HealthSchedule(config.health, () => void this.publishHealth());
    this.healthSchedule.start();
  }

  private statusPayload(): Record<string, unknown> {
    return { gatewayId: this.gatewayId, publicKey: this.identity.publicKeyPem, cameras: this.config.cameras.map((c) => c.id), version: AGENT_VERSION };
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
      await this.outbox.enqueueJson('health', 'health', await this.health());
    } catch (err) {
      this.logger.error({ err: toErrorInfo(err, 'HEALTH_FAILED') }, 'health not queued');
    }
  }

  async stop(): Promise<void> {
    this.healthSchedule?.stop();
    for (const off of this.unsubscribe.splice(0)) off();
    await this.cameras?.stop();
    this.detection?.stop();
    await this.detector?.close();
    await this.uplink?.stop();
    await this.outbox?.close();
  }
}
