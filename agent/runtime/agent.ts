import { mkdirSync } from 'node:fs';
import type { AgentConfig } from '../config/schema/index.js';
import { HEALTH_TOPIC, SELFTEST_TOPIC, type StatusDetails } from '../contract/index.js';
import { TypedBus } from '../core/bus.js';
import { AgentError, toErrorInfo } from '../core/errors.js';
import type { AgentEvents } from '../core/events.js';
import type { Logger } from '../core/logger.js';
import { AGENT_VERSION } from '../core/version.js';
import { writeOutboxSnapshot } from '../diagnostics/outbox-snapshot.js';
import { runDiagnostics } from '../diagnostics/run-diagnostics.js';
import { newestCapacity } from '../diagnostics/checks/detector-capacity.js';
import type { DiagReport, MeasuredCapacity } from '../diagnostics/report-schema.js';
import { deriveGatewayId } from '../identity/gateway-id.js';
import { loadOrCreateIdentity, type GatewayIdentity } from '../identity/gateway-identity.js';
import { CameraManager } from '../ingest/camera-manager.js';
import { resolveOnvifStreamUri } from '../ingest/onvif/resolve.js';
import { MqttUplink } from '../uplink/mqtt-uplink.js';
import { AgentControl } from './agent-control.js';
import { buildHealth, type HealthReport } from './health.js';
import { Lifecycle } from './lifecycle.js';
import { RecentEvents } from './recent-events.js';
import { ClipsSubsystem } from './subsystems/clips.js';
import { DetectionSubsystem } from './subsystems/detection.js';
import { LoggingSubsystem } from './subsystems/logging.js';
import { OutboxSubsystem } from './subsystems/outbox.js';
import { refusesWritesWithRoom } from '../outbox/write-health.js';
import { ProvisioningSubsystem } from './subsystems/provisioning.js';
import { SchedulerSubsystem } from './subsystems/scheduler.js';
import { StatusPageSubsystem } from './subsystems/status-page.js';
import type { StartupInfo } from './startup-config.js';
import { SwitchableUplink } from './switchable-uplink.js';

/**
 * The running agent: one ordered list of subsystems around one typed bus (docs/architecture.md,
 * "Lifecycle"). Each subsystem only sees the bus and the narrow interfaces it needs; this file is the
 * only place that knows them all. Construction only wires; `Agent.start` starts the list.
 */
export class Agent {
  readonly bus: TypedBus<AgentEvents>;
  readonly startedAt = Date.now();
  readonly uplink: SwitchableUplink;
  private readonly recentEvents = new RecentEvents();
  private readonly outbox: OutboxSubsystem;
  private readonly clips: ClipsSubsystem;
  private readonly detection: DetectionSubsystem;
  private readonly cameras: CameraManager;
  private readonly provisioning: ProvisioningSubsystem;
  private readonly control: AgentControl;
  private readonly lifecycle: Lifecycle;
  private readonly statusPage: StatusPageSubsystem;
  private restartListener?: () => void;
  /** From the last diag run (daily self-test, status page, MQTT `diag`): what the detector carries on this box. */
  private lastCapacity?: MeasuredCapacity;

  private constructor(
    private config: AgentConfig,
    readonly logger: Logger,
    readonly gatewayId: string,
    readonly identity: GatewayIdentity,
    configVersion: number,
    /** Which start-up config runs and what was passed over (boot.ts); reported in status and health. */
    private readonly startup?: StartupInfo,
  ) {
    const running = (): AgentConfig => this.config;
    const child = (subsystem: string): Logger => logger.child({ subsystem });
    const dataDir = config.gateway.dataDir;
    this.bus = new TypedBus<AgentEvents>((event, err) => logger.error({ event, err: toErrorInfo(err) }, 'bus listener failed'));
    const connect = (mqtt: AgentConfig['mqtt']): MqttUplink => new MqttUplink({ mqtt, gatewayId, statusPayload: () => this.statusPayload(), logger: child('uplink') });
    this.uplink = new SwitchableUplink(connect, config.mqtt);
    this.outbox = new OutboxSubsystem({
      config: running, bus: this.bus, uplink: this.uplink, sign: (data) => identity.sign(data), onEvent: (ev) => this.recentEvents.add(ev),
      // The outbox starts before clips: on a full disk the recordings (if clips runs) are the first to go.
      reclaim: (bytes) => this.clips.recordingsIfRunning()?.freeOldest(bytes) ?? 0,
      logger: child('outbox'),
    });
    this.clips = new ClipsSubsystem({ config: running, bus: this.bus, enqueueFile: (kind, file, meta) => this.outbox.writer.enqueueFile(kind, file, meta), child });
    this.detection = new DetectionSubsystem({ config: running, bus: this.bus, child });
    this.cameras = new CameraManager({ cameras: config.cameras, dataDir, recording: config.recording, bus: this.bus, logger: child('ingest'), resolveOnvif: resolveOnvifStreamUri });
    const scheduler = new SchedulerSubsystem({
      config: running,
      retention: () => this.clips.recordings.enforceRetention(),
      selfTest: async () => this.outbox.writer.enqueueJson('health', SELFTEST_TOPIC, await this.diag()),
      publishHealth: () => this.publishHealth(),
      logger: child('scheduler'),
    });
    this.control = new AgentControl({
      gatewayId,
      startedAt: this.startedAt,
      config: running,
      applyConfig: (next) => this.applyConfig(next),
      cameras: this.cameras,
      uplink: this.uplink,
      outbox: () => this.outbox.writer,
      clips: () => this.clips.clips,
      detection: () => this.detection.stage,
      detectorStats: () => this.detection.detectorStats(),
      recentEvents: () => this.recentEvents.list(),
      diag: () => this.diag(),
      capacity: () => this.lastCapacity,
      restart: () => this.restartListener?.(),
    });
    this.provisioning = new ProvisioningSubsystem(() => ({ gatewayId, config: this.config, version: configVersion, dataDir, uplink: this.uplink, host: this.control, identity, logger: child('provisioning') }));
    const statusPage = new StatusPageSubsystem({ config: running, gatewayId, source: this.control, logger: child('status-page') });
    this.statusPage = statusPage;
    // Each part relies only on those before it; stop runs this list backwards. Detection stops
    // before clips and the outbox, so the end events of its open tracks are still queued.
    this.lifecycle = new Lifecycle(
      [new LoggingSubsystem(logger), this.uplink, this.outbox, this.clips, this.detection, this.cameras, scheduler, this.provisioning, statusPage],
      logger,
      // Provisioning drives an apply and waits for health (or rolls back) across the restart it causes.
      new Set([this.provisioning]),
    );
  }

  /** `configVersion`: the desired-config version `config` came from (0: the config file). */
  static async start(config: AgentConfig, logger: Logger, configVersion = 0, startup?: StartupInfo): Promise<Agent> {
    const gatewayId = config.gateway.id ?? deriveGatewayId();
    mkdirSync(config.gateway.dataDir, { recursive: true, mode: 0o750 });
    const agent = new Agent(config, logger, gatewayId, loadOrCreateIdentity(config.gateway.dataDir), configVersion, startup);
    try {
      await agent.lifecycle.start();
    } catch (err) {
      await agent.stop().catch(() => undefined);
      throw err;
    }
    return agent;
  }

  /** The run command restarts the agent in-process when the `restart` command asks for it. */
  /**
   * For the watchdog: the outbox refuses writes although the disk is not full (a full disk is not
   * something a restart fixes; the outbox reopens itself once there is room, recordings going first).
   */
  storageWedged(): boolean {
    const health = this.outbox.writeHealth();
    return health !== undefined && refusesWritesWithRoom(health);
  }

  onRestartRequested(listener: () => void): void {
    this.restartListener = listener;
  }

  statusPayload(): StatusDetails {
    const config = this.provisioning.status();
    return { gatewayId: this.gatewayId, publicKey: this.identity.publicKeyPem, cameras: this.config.cameras.map((c) => c.id), version: AGENT_VERSION, ...(config ? { config } : {}), ...(this.startup ? { startup: this.startup } : {}) };
  }

  async health(): Promise<HealthReport> {
    const detection = this.detection.stage;
    return buildHealth({
      startedAt: this.startedAt,
      dataDir: this.config.gateway.dataDir,
      cameras: () => this.cameras.stats(),
      detection: detection ? () => detection.stats().cameras : undefined,
      detector: detection ? () => this.detection.detectorStats() : undefined,
      outbox: () => this.outbox.writer.stats(),
      uplinkConnected: () => this.uplink.connected,
      startup: this.startup,
      degraded: () => {
        const statusPage = this.statusPage.degraded();
        return statusPage ? [{ part: 'statusPage', ...statusPage }] : [];
      },
      capacity: () => this.lastCapacity,
    });
  }

  private async publishHealth(): Promise<void> {
    try {
      // For `diag` in another process (the Docker HEALTHCHECK), which must not open the locked outbox.
      writeOutboxSnapshot(this.config.gateway.dataDir, this.outbox.writer.stats());
    } catch (err) {
      this.logger.warn({ err: toErrorInfo(err, 'HEALTH_FAILED') }, 'outbox figures for diag not written');
    }
    try {
      await this.outbox.writer.enqueueJson('health', HEALTH_TOPIC, await this.health());
    } catch (err) {
      this.logger.error({ err: toErrorInfo(err, 'HEALTH_FAILED') }, 'health not queued');
    }
  }

  /** Diagnostics from inside the running agent (MQTT `diag`, status page, daily self-test). */
  async diag(): Promise<DiagReport> {
    const report = await runDiagnostics(this.config, { outboxStats: () => this.outbox.writer.stats(), configSource: 'running agent' });
    this.lastCapacity = newestCapacity(this.lastCapacity, report);
    return report;
  }

  /**
   * Switches the running agent to `next`: every subsystem takes what it can live (changed cameras
   * restart while unchanged ones keep streaming; a new broker connection replaces the old one);
   * settings read only at start (`x-apply: restart` in the schema) restart the agent in-process
   * from the first subsystem that needs it. Provisioning then checks health and may roll back.
   */
  async applyConfig(next: AgentConfig): Promise<void> {
    const prev = this.config;
    if (prev.gateway.dataDir !== next.gateway.dataDir || (next.gateway.id ?? this.gatewayId) !== this.gatewayId) {
      throw new AgentError('CONFIG_NOT_APPLICABLE', 'gateway.id and gateway.dataDir cannot change at run time', 'reflash the gateway to change its identity or data folder');
    }
    this.config = next;
    await this.lifecycle.apply(next, prev);
  }

  /** Stops every subsystem (reverse start order, each step guarded); rejects if a step failed. */
  async stop(): Promise<void> {
    try {
      await this.lifecycle.stop();
    } finally {
      await this.control.close();
    }
  }
}
