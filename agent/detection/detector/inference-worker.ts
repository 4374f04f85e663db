/**
 * Worker thread holding the one onnxruntime session: onnxruntime-node's run() is synchronous
 * under its promise, so running it here — with the crop/resize that feeds it — keeps 35+ ms of
 * work per job from stalling the agent's event loop (MQTT keep-alives, the outbox, camera IPC).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { performance } from 'node:perf_hooks';
import * as ort from 'onnxruntime-node';
import { i420RegionToTensor } from './preprocess.js';
import { detectorSessionOptions } from './session-options.js';
import type { RunRequest, ValueInfo, WorkerInit, WorkerMessage } from './worker-protocol.js';

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
    const t0 = performance.now();
    const { width: W, height: H, layout } = req.spec;
    let input: Float32Array;
    try {
      input = i420RegionToTensor(req.frame, req.region, req.spec);
    } catch (err) {
      post({ type: 'run-error', id: req.id, message: err instanceof Error ? err.message : String(err) });
      return;
    }
    const started = performance.now();
    const dims = layout === 'NHWC' ? [1, H, W, 3] : [1, 3, H, W];
    session
      .run({ [req.inputName]: new ort.Tensor('float32', input, dims) }, [req.outputName])
      .then((result) => {
        const ms = performance.now() - started;
        const out = result[req.outputName];
        // Copied out of onnxruntime's buffer so it can be transferred, not cloned.
        const data = new Float32Array(out.data as Float32Array);
        post({ type: 'result', id: req.id, data, dims: [...out.dims], ms, preprocessMs: started - t0 }, [data.buffer]);
      })
      .catch((err: unknown) => post({ type: 'run-error', id: req.id, message: err instanceof Error ? err.message : String(err) }));
  });
  post({ type: 'ready', inputs: infos(session.inputMetadata), outputs: infos(session.outputMetadata) });
}

void main();
