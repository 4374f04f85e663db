import path from 'node:path';
import type { AgentConfig } from '../../config/schema/index.js';
import type { TypedBus } from '../../core/bus.js';
import { toErrorInfo } from '../../core/errors.js';
import type { AgentEvents } from '../../core/events.js';
import type { Logger } from '../../core/logger.js';
import { SubsystemBase, type ApplyOutcome } from '../../core/subsystem.js';
import { INSTALL_ROOT } from '../../core/version.js';
import { DetectionStage } from '../../detection/detection-stage.js';
import { DetectorService, type DetectorStats } from '../../detection/detector/detector-service.js';

export interface DetectionSubsystemDeps {
  /** The running config (the runtime switches it before `apply`). */
  config: () => AgentConfig;
  bus: TypedBus<AgentEvents>;
  child: (subsystem: string) => Logger;
}

/**
 * The shared detector and the detection stage on it. Cameras, labels, filters, motion and tracking
 * are taken live; the model, its threads and queue size only when the detector loads, so a change to
 * them is a restart. A detector that fails to load leaves the agent streaming without detection
 * (health and diag say why); the next config tries again.
 */
export class DetectionSubsystem extends SubsystemBase {
  readonly name = 'detection';
  private running = false;
  private detector?: DetectorService;
  private detectionStage?: DetectionStage;

  constructor(private readonly deps: DetectionSubsystemDeps) {
    super();
  }

  /** The stage while detection runs (undefined: disabled or no detector). */
  get stage(): DetectionStage | undefined {
    return this.detectionStage;
  }

  detectorStats(): DetectorStats | undefined {
    return this.detector?.stats();
  }

  async start(): Promise<void> {
    this.running = true;
    await this.load(this.deps.config());
  }

  override async stop(): Promise<void> {
    this.running = false;
    await super.stop();
    // The stage ends its open tracks on stop: those end events and snapshots still reach the outbox.
    await this.detectionStage?.stop();
    await this.detector?.close();
    this.detectionStage = undefined;
    this.detector = undefined;
  }

  override async apply(next: AgentConfig, prev: AgentConfig): Promise<ApplyOutcome> {
    const d = next.detection;
    const p = prev.detection;
    if (this.detector && (d.model !== p.model || d.threads !== p.threads || d.queueSize !== p.queueSize)) return 'restart';
    if (!this.running) return 'live';
    await this.load(next);
    this.detectionStage?.update(next);
    return 'live';
  }

  private async load(config: AgentConfig): Promise<void> {
    if (!config.detection.enabled || this.detector) return;
    const { bus, child } = this.deps;
    try {
      this.detector = await DetectorService.load({
        manifestPath: path.resolve(INSTALL_ROOT, config.detection.model),
        threads: config.detection.threads,
        queueSize: config.detection.queueSize,
        logger: child('detector'),
      });
    } catch (err) {
      child('detection').error({ err: toErrorInfo(err, 'DETECTOR_UNAVAILABLE') }, 'detector failed to load; running without object detection');
      return;
    }
    this.detectionStage = new DetectionStage({ config, bus, detector: this.detector, logger: child('detection') });
  }
}
