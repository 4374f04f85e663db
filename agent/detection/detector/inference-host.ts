import { Worker } from 'node:worker_threads';
import { FROM_SOURCE, helperScript } from '../../core/helper-script.js';
import { AgentError } from '../../core/errors.js';
import { helperOldSpaceMb } from '../../core/heap-limits.js';
import type { RegionOutput, RunRequest, ValueInfo, WorkerInit, WorkerMessage } from './worker-protocol.js';

/**
 * Runs the worker from source under tsx (tests, benchmarks) or from dist as plain JS. Its heap is
 * capped like a camera process's (tensors and frames are ArrayBuffers outside it); without a cap a
 * worker may grow as far as the main isolate (a quarter of the RAM).
 */
function spawnWorker(init: WorkerInit): Worker {
  const { file } = helperScript(__filename, 'inference-worker');
  const resourceLimits = { maxOldGenerationSizeMb: helperOldSpaceMb() };
  if (FROM_SOURCE) {
    return new Worker(`require('tsx/cjs'); require(${JSON.stringify(file)});`, { eval: true, workerData: init, resourceLimits });
  }
  return new Worker(file, { workerData: init, resourceLimits });
}

/** The main-thread handle of the inference worker: one session, requests answered by id. */
export class InferenceHost {
  private readonly pending = new Map<number, { resolve: (r: RegionOutput[]) => void; reject: (e: Error) => void }>();
  private nextId = 1;
  private failure?: AgentError;
  private closing = false;

  private constructor(
    private readonly worker: Worker,
    readonly inputs: ValueInfo[],
    readonly outputs: ValueInfo[],
  ) {
    worker.on('message', (msg: WorkerMessage) => this.onMessage(msg));
    worker.on('error', (err) => this.fail(`inference worker crashed: ${err.message}`));
    worker.on('exit', (code) => { if (!this.closing) this.fail(`inference worker exited with code ${code}`); });
  }

  static start(modelPath: string, threads: number): Promise<InferenceHost> {
    const worker = spawnWorker({ modelPath, threads });
    return new Promise((resolve, reject) => {
      const loadFailed = (why: string): void => {
        void worker.terminate();
        reject(new AgentError('MODEL_LOAD_FAILED', `onnxruntime could not load ${modelPath}: ${why}`,
          'check that the file is a valid ONNX model (re-run scripts/setup.sh for the bundled one)'));
      };
      const settle = (): void => {
        worker.off('message', onMessage);
        worker.off('error', onError);
        worker.off('exit', onExit);
      };
      const onMessage = (msg: WorkerMessage): void => {
        settle();
        if (msg.type === 'ready') resolve(new InferenceHost(worker, msg.inputs, msg.outputs));
        else loadFailed(msg.type === 'load-error' ? msg.message : `unexpected ${msg.type}`);
      };
      const onError = (err: Error): void => {
        settle();
        loadFailed(err.message);
      };
      // A native crash while loading ends the thread without an 'error' event.
      const onExit = (code: number): void => {
        settle();
        loadFailed(`inference worker exited with code ${code} while loading`);
      };
      worker.on('message', onMessage);
      worker.on('error', onError);
      worker.on('exit', onExit);
    });
  }

  get alive(): boolean {
    return !this.failure && !this.closing;
  }

  /**
   * Crops, resizes and infers every region of an I420 frame in the worker: the frame's bytes are
   * copied and sent once. Outputs come back in region order.
   */
  run(req: Omit<RunRequest, 'id'>): Promise<RegionOutput[]> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.closing) return Promise.reject(new AgentError('DETECTOR_CLOSED', 'detector is closed'));
    const id = this.nextId++;
    // A copy of just the frame's bytes: the source may be a view into a larger shared buffer.
    const data = new Uint8Array(req.frame.data.byteLength);
    data.set(req.frame.data);
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ ...req, id, frame: { ...req.frame, data } } satisfies RunRequest, [data.buffer]);
    });
  }

  /**
   * Lets a run in progress finish first (at most `graceMs`): terminating the worker in the middle of
   * onnxruntime's run() aborts the whole process (Napi::Error, SIGABRT).
   */
  async close(graceMs = 20000): Promise<void> {
    this.closing = true;
    const deadline = Date.now() + graceMs;
    while (this.pending.size > 0 && !this.failure && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    for (const p of this.pending.values()) p.reject(new AgentError('DETECTOR_CLOSED', 'detector closed during inference'));
    this.pending.clear();
    await this.worker.terminate();
  }

  private onMessage(msg: WorkerMessage): void {
    if (msg.type !== 'result' && msg.type !== 'run-error') return;
    const p = this.pending.get(msg.id);
    if (!p) return;
    this.pending.delete(msg.id);
    if (msg.type === 'result') p.resolve(msg.outputs);
    else p.reject(new AgentError('DETECTOR_INFERENCE_FAILED', `inference failed: ${msg.message}`, 'check the model manifest input size and layout'));
  }

  private fail(why: string): void {
    if (this.failure) return;
    this.failure = new AgentError('DETECTOR_WORKER_FAILED', why, 'the detector restarts its worker on the next job; if this repeats, check memory and the model file');
    for (const p of this.pending.values()) p.reject(this.failure);
    this.pending.clear();
  }
}
