/**
 * Worker thread holding the one onnxruntime session: onnxruntime-node's run() is synchronous
 * under its promise, so running it here — with the crop/resize that feeds it — keeps 35+ ms of
 * work per region from stalling the agent's event loop (MQTT keep-alives, the outbox, camera IPC).
 * A job is one frame with all its regions: each is cropped from that one frame, inferred and decoded in
 * turn; only the detections go back (a heads output is 3 MB per inference: sent to the main thread it
 * cost that thread a decode and a twelfth of its time in garbage collection with four cameras).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { performance } from 'node:perf_hooks';
import * as ort from 'onnxruntime-node';
import { DECODERS } from './decoders.js';
import { i420RegionToTensor } from './preprocess.js';
import { detectorSessionOptions } from './session-options.js';
import type { RegionOutput, RunRequest, ValueInfo, WorkerInit, WorkerMessage } from './worker-protocol.js';

const port = parentPort;
if (!port) throw new Error('inference-worker must run as a worker thread');
const init = workerData as WorkerInit;

function post(msg: WorkerMessage, transfer: ArrayBuffer[] = []): void {
  port?.postMessage(msg, transfer);
}

function infos(meta: readonly ort.InferenceSession.ValueMetadata[]): ValueInfo[] {
  return meta.map((m) => ({ name: m.name, dims: m.isTensor ? [...m.shape] : [] }));
}

async function main(): Promise<void> {
  let session: ort.InferenceSession;
  try {
    session = await ort.InferenceSession.create(init.modelPath, detectorSessionOptions(init.threads));
  } catch (err) {
    post({ type: 'load-error', message: err instanceof Error ? err.message : String(err) });
    return;
  }
  port?.on('message', (req: RunRequest) => {
    runRegions(session, req).then(
      (outputs) => post({ type: 'result', id: req.id, outputs }),
      (err: unknown) => post({ type: 'run-error', id: req.id, message: err instanceof Error ? err.message : String(err) }),
    );
  });
  post({ type: 'ready', inputs: infos(session.inputMetadata), outputs: infos(session.outputMetadata) });
}

/**
 * The input tensor's buffer, kept from job to job (3 MB for a 512x512 model): runs are awaited one by
 * one, and a fresh one per job would be mapped, faulted in and unmapped again at every frame.
 */
let inputBuffer: Float32Array | undefined;

/** Crops and infers each region of the one frame in turn (one input tensor, reused: runs are awaited one by one). */
async function runRegions(session: ort.InferenceSession, req: RunRequest): Promise<RegionOutput[]> {
  const { width: W, height: H, layout } = req.spec;
  const dims = layout === 'NHWC' ? [1, H, W, 3] : [1, 3, H, W];
  if (inputBuffer?.length !== W * H * 3) inputBuffer = new Float32Array(W * H * 3);
  const input = inputBuffer;
  const outputs: RegionOutput[] = [];
  for (const region of req.regions) {
    const t0 = performance.now();
    i420RegionToTensor(req.frame, region, req.spec, input);
    const started = performance.now();
    const result = await session.run({ [req.inputName]: new ort.Tensor('float32', input, dims) }, [req.outputName]);
    const ms = performance.now() - started;
    const out = result[req.outputName];
    outputs.push({ raw: DECODERS[req.decoder](out.data as Float32Array, out.dims, req.decode), ms, preprocessMs: started - t0 });
  }
  return outputs;
}

void main();
