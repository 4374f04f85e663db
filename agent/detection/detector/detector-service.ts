import type { Logger } from '../../core/logger.js';
import { AgentError } from '../../core/errors.js';
import type { VideoFrame } from '../../ingest/types.js';
import { pixelBox } from '../coords.js';
import type { Detection, PixelBox } from '../types.js';
import { expectedOutputProblem, type DecodeOptions } from './decoders.js';
import { FairQueue } from './fair-queue.js';
import { evenRegion } from './i420-crop.js';
import { InferenceHost } from './inference-host.js';
import { LatencyWindow } from './latency-window.js';
import { loadManifest, type LoadedManifest } from './manifest.js';
import { nms } from './nms.js';
import { inputFeed, type InputFeed, type ModelSize, type RegionOutput } from './worker-protocol.js';
import { wholeFrameRegion, wholeFrameScale } from '../windows.js';

export interface DetectorLoadOptions {
  manifestPath: string;
  /** onnxruntime intra-op threads. */
  threads: number;
  /** Pending jobs (frames) across all cameras; beyond this the oldest job of the busiest camera is dropped. */
  queueSize: number;
  logger?: Logger;
}

export interface DetectRequest {
  cameraId: string;
  frame: VideoFrame;
  /**
   * Areas of the frame to detect in (frame pixels; may extend past the frame), each resized to the
   * model input. One job however many: the frame crosses to the inference worker once.
   */
  regions: readonly PixelBox[];
}

export interface DetectorStats {
  inferenceMsP50: number | null;
  inferenceMsP95: number | null;
  /** Jobs (frames) waiting. */
  queueDepth: number;
  /** Jobs (frames) dropped from the queue. */
  dropped: number;
  /** Model runs: one per region. */
  inferences: number;
  /** Time inside the model's runs since start, ms: with windows (regions of any size) the true cost, where p50 × runs is not. */
  inferenceMsTotal: number;
  /** The same per camera: which scene costs the detector what. */
  inferenceMsByCamera: Record<string, number>;
}

interface Job extends DetectRequest {
  resolve: (r: Detection[] | 'dropped') => void;
  reject: (e: Error) => void;
}

const RESTART_MIN_INTERVAL_MS = 5_000;

/**
 * The one object detector all cameras share: one onnxruntime session (in a worker thread), a
 * bounded queue of jobs (a frame with its regions) served round-robin across cameras, one job at a
 * time. When the detector falls behind, the oldest pending job of the busiest camera is dropped
 * (resolved 'dropped' and counted), so memory and latency stay bounded whatever the cameras send.
 */
export class DetectorService {
  readonly labels: readonly string[];
  /** Model input size in pixels (regions are resized to this; a window, to its share of it). */
  readonly inputSize: { width: number; height: number };
  /**
   * Set when the model takes windows of the frame (manifest input.sizeName): any region at the whole
   * frame's scale, its model size a multiple of this stride, costing in proportion to its area.
   */
  readonly windowStride?: number;
  private readonly queue: FairQueue<Job>;
  private readonly latency = new LatencyWindow();
  private readonly input: InputFeed;
  private readonly decode: DecodeOptions;
  private dropped = 0;
  private inferences = 0;
  private inferenceMs = 0;
  private readonly inferenceMsByCamera = new Map<string, number>();
  private running = false;
  private closed = false;
  private lastRestart = 0;

  private constructor(
    private readonly manifest: LoadedManifest,
    private host: InferenceHost,
    private readonly threads: number,
    queueSize: number,
    private readonly logger?: Logger,
  ) {
    this.labels = manifest.labels;
    this.inputSize = { width: manifest.input.width, height: manifest.input.height };
    if (manifest.input.sizeName) this.windowStride = manifest.input.stride;
    this.queue = new FairQueue<Job>(queueSize);
    this.input = inputFeed(manifest);
    this.decode = {
      minScore: manifest.output.minScore,
      classes: manifest.labels.length,
      inputWidth: manifest.input.width,
      inputHeight: manifest.input.height,
      boxUnits: manifest.output.boxUnits,
      cellMax: manifest.output.cellMax,
    };
  }

  /** Validates the manifest, loads the model and checks its inputs/outputs match the manifest. */
  static async load(opts: DetectorLoadOptions): Promise<DetectorService> {
    const manifest = loadManifest(opts.manifestPath);
    const host = await InferenceHost.start(manifest.modelPath, opts.threads);
    try {
      checkModelIo(manifest, host);
    } catch (err) {
      await host.close();
      throw err;
    }
    opts.logger?.info({ model: manifest.modelPath, decoder: manifest.output.decoder, input: `${manifest.input.width}x${manifest.input.height} ${manifest.input.layout}`, threads: opts.threads, queueSize: opts.queueSize }, 'detector loaded');
    return new DetectorService(manifest, host, opts.threads, opts.queueSize, opts.logger);
  }

  /**
   * Queues one frame's detection. Resolves with the detections of every region in frame pixels
   * (class-aware NMS applied within each region; region after region), or 'dropped' when the queue
   * overflowed before this job's turn.
   */
  detect(req: DetectRequest): Promise<Detection[] | 'dropped'> {
    if (this.closed) return Promise.reject(new AgentError('DETECTOR_CLOSED', 'detector is closed'));
    const empty = req.regions.find(([x1, y1, x2, y2]) => !(x2 > x1 && y2 > y1));
    if (empty) return Promise.reject(new AgentError('DETECTOR_BAD_REGION', `empty region [${empty.join(',')}]`));
    const { width: w, height: h, data } = req.frame;
    const i420Bytes = w * h + 2 * ((w + 1) >> 1) * ((h + 1) >> 1);
    if (req.frame.format !== 'I420' || data.length < i420Bytes) {
      return Promise.reject(new AgentError('DETECTOR_BAD_FRAME', `frame ${w}x${h} ${req.frame.format} has ${data.length} bytes, I420 needs ${i420Bytes}`, 'ingest must hand over tightly packed I420 frames'));
    }
    if (req.regions.length === 0) return Promise.resolve([]);
    return new Promise((resolve, reject) => {
      const evicted = this.queue.push(req.cameraId, { ...req, resolve, reject });
      if (evicted) {
        this.dropped++;
        evicted.resolve('dropped');
      }
      void this.pump();
    });
  }

  stats(): DetectorStats {
    return {
      inferenceMsP50: round(this.latency.percentile(50)),
      inferenceMsP95: round(this.latency.percentile(95)),
      queueDepth: this.queue.size,
      dropped: this.dropped,
      inferences: this.inferences,
      inferenceMsTotal: Math.round(this.inferenceMs),
      inferenceMsByCamera: Object.fromEntries([...this.inferenceMsByCamera].map(([id, ms]) => [id, Math.round(ms)])),
    };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const job of this.queue.drain()) job.resolve('dropped');
    await this.host.close();
  }

  private async pump(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      for (let job = this.queue.shift(); job && !this.closed; job = this.queue.shift()) {
        try {
          job.resolve(await this.runJob(job));
        } catch (err) {
          job.reject(err instanceof Error ? err : new Error(String(err)));
        }
        // Let the camera just answered queue its next frame before picking the next job, or a
        // camera that waits for its result would always lose its turn to one that floods.
        await new Promise((r) => setImmediate(r));
      }
    } finally {
      this.running = false;
    }
  }

  private async runJob(job: Job): Promise<Detection[]> {
    await this.ensureHost();
    const { frame } = job;
    // A model taking I420 planes needs regions on the chroma grid; boxes map back through the snapped ones.
    const regions = this.input.format === 'i420' ? job.regions.map(evenRegion) : job.regions;
    const sizes = regions.map((r) => this.modelSize(r, frame));
    const outputs = await this.host.run({
      input: this.input,
      outputName: this.manifest.output.name,
      frame: { width: frame.width, height: frame.height, data: frame.data },
      regions,
      sizes,
      decoder: this.manifest.output.decoder,
      decode: this.decode,
    });
    const detections: Detection[] = [];
    outputs.forEach((out, i) => {
      this.inferences++;
      this.inferenceMs += out.ms;
      this.inferenceMsByCamera.set(job.cameraId, (this.inferenceMsByCamera.get(job.cameraId) ?? 0) + out.ms);
      this.latency.add(out.ms);
      detections.push(...this.regionDetections(out, regions[i], sizes[i], frame));
    });
    return detections;
  }

  /**
   * What a region is resized to: the model's input size, or for a model taking windows the region at
   * the whole frame's scale (the frame, extended to the model's aspect, is the model's size), rounded
   * to the stride per axis — a window of a 640x360 frame on a grid of 40 pixels keeps that scale exactly.
   */
  private modelSize(region: PixelBox, frame: VideoFrame): ModelSize {
    const stride = this.windowStride;
    const whole = wholeFrameRegion(frame.width, frame.height, this.inputSize);
    if (!stride || (region[2] - region[0] >= whole[2] && region[3] - region[1] >= whole[3])) return this.inputSize;
    const scale = wholeFrameScale(whole, this.inputSize);
    const side = (frameSpan: number): number => Math.max(stride, Math.round((frameSpan * scale) / stride) * stride);
    return { width: side(region[2] - region[0]), height: side(region[3] - region[1]) };
  }

  /** One region's decoded output (model pixels of `size`) as detections in frame pixels: mapped from the crop, NMS, capped. */
  private regionDetections(out: RegionOutput, region: PixelBox, size: ModelSize, frame: VideoFrame): Detection[] {
    const { width: W, height: H } = size;
    const sx = (region[2] - region[0]) / W;
    const sy = (region[3] - region[1]) / H;
    const detections: Detection[] = [];
    for (const r of out.raw) {
      const box = pixelBox(
        clamp(region[0] + r.box[0] * sx, frame.width),
        clamp(region[1] + r.box[1] * sy, frame.height),
        clamp(region[0] + r.box[2] * sx, frame.width),
        clamp(region[1] + r.box[3] * sy, frame.height),
      );
      if (box[2] - box[0] < 1 || box[3] - box[1] < 1) continue; // entirely in the black padding
      detections.push({ label: this.labels[r.classIndex], score: r.score, box });
    }
    return nms(detections, this.manifest.output.nmsIou).slice(0, this.manifest.output.maxDetections);
  }

  /** A crashed worker is replaced before the next job, at most once per RESTART_MIN_INTERVAL_MS. */
  private async ensureHost(): Promise<void> {
    if (this.host.alive) return;
    const now = Date.now();
    if (now - this.lastRestart < RESTART_MIN_INTERVAL_MS) {
      throw new AgentError('DETECTOR_UNAVAILABLE', 'inference worker failed and is waiting to restart', 'see the detector log for the cause');
    }
    this.lastRestart = now;
    this.logger?.warn('restarting the inference worker');
    await this.host.close().catch(() => undefined);
    this.host = await InferenceHost.start(this.manifest.modelPath, this.threads);
  }
}

function clamp(v: number, max: number): number {
  return v < 0 ? 0 : v > max ? max : v;
}

function round(v: number | null): number | null {
  return v === null ? null : Math.round(v * 10) / 10;
}

/** The model must have the manifest's input (with its size/layout when static) and a decodable output. */
function checkModelIo(m: LoadedManifest, host: InferenceHost): void {
  const input = host.inputs.find((i) => i.name === m.input.name);
  const output = host.outputs.find((o) => o.name === m.output.name);
  const remedy = 'make the manifest match the model (docs/detector.md, "Model manifest")';
  if (!input) {
    throw new AgentError('MODEL_IO_MISMATCH', `model has no input "${m.input.name}" (it has ${host.inputs.map((i) => i.name).join(', ')})`, remedy);
  }
  if (!output) {
    throw new AgentError('MODEL_IO_MISMATCH', `model has no output "${m.output.name}" (it has ${host.outputs.map((o) => o.name).join(', ')})`, remedy);
  }
  if (m.input.format === 'i420') {
    // Luma [1,1,h,w] and chroma [1,2,h/2,w/2] of any region size: only batch and channels are fixed.
    const uv = host.inputs.find((i) => i.name === m.input.uvName);
    if (!uv) throw new AgentError('MODEL_IO_MISMATCH', `model has no input "${m.input.uvName}" (it has ${host.inputs.map((i) => i.name).join(', ')})`, remedy);
    for (const [info, channels] of [[input, 1], [uv, 2]] as const) {
      if (info.dims.length !== 4 || info.dims[0] !== 1 || info.dims[1] !== channels) {
        throw new AgentError('MODEL_IO_MISMATCH', `model input "${info.name}" is [${info.dims.join(',')}], format i420 needs [1,${channels},h,w]`, remedy);
      }
    }
    // The size input of a model taking windows: named by the manifest, or the model could not be fed.
    const fed = [m.input.name, m.input.uvName, m.input.sizeName];
    const unfed = host.inputs.find((i) => !fed.includes(i.name));
    if (unfed) throw new AgentError('MODEL_IO_MISMATCH', `model input "${unfed.name}" is not in the manifest (a model taking windows names its size input as input.sizeName)`, remedy);
    const size = m.input.sizeName ? host.inputs.find((i) => i.name === m.input.sizeName) : undefined;
    if (m.input.sizeName && size?.dims.join() !== '2') {
      throw new AgentError('MODEL_IO_MISMATCH', size ? `model input "${size.name}" is [${size.dims.join(',')}], input.sizeName needs [2] (height, width)` : `model has no input "${m.input.sizeName}" (it has ${host.inputs.map((i) => i.name).join(', ')})`, remedy);
    }
  } else {
    const want = m.input.layout === 'NHWC' ? [1, m.input.height, m.input.width, 3] : [1, 3, m.input.height, m.input.width];
    const bad = input.dims.length !== 4 || input.dims.some((d, i) => typeof d === 'number' && d !== want[i]);
    if (bad) {
      throw new AgentError('MODEL_IO_MISMATCH', `model input "${input.name}" is [${input.dims.join(',')}], manifest says [${want.join(',')}] (${m.input.layout})`, remedy);
    }
  }
  const problem = expectedOutputProblem(m.output.decoder, output.dims, m.labels.length, m.output.cellMax);
  if (problem) throw new AgentError('MODEL_IO_MISMATCH', `model output "${output.name}": ${problem}`, remedy);
}
