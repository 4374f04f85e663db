/**
 * Worker thread holding the one onnxruntime session: onnxruntime-node's run() is synchronous
 * under its promise, so running it here keeps a 35+ ms inference from stalling the agent's event
 * loop (MQTT keep-alives, the outbox, camera IPC).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { performance } from 'node:perf_hooks';
import * as ort from 'onnxruntime-node';
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
    session = await ort.InferenceSession.create(init.modelPath, {
      intraOpNumThreads: init.threads,
      interOpNumThreads: 1,
      executionMode: 'sequential',
      graphOptimizationLevel: 'all',
    });
  } catch (err) {
    post({ type: 'load-error', message: err instanceof Error ? err.message : String(err) });
    return;
  }
  port?.on('message', (req: RunRequest) => {
    const started = performance.now();
    session
      .run({ [req.inputName]: new ort.Tensor('float32', req.input, req.dims) }, [req.outputName])
      .then((result) => {
        const ms = performance.now() - started;
        const out = result[req.outputName];
        const data = Float32Array.from(out.data as Float32Array);
        post({ type: 'result', id: req.id, data, dims: [...out.dims], ms }, [data.buffer]);
      })
      .catch((err: unknown) => post({ type: 'run-error', id: req.id, message: err instanceof Error ? err.message : String(err) }));
  });
  post({ type: 'ready', inputs: infos(session.inputMetadata), outputs: infos(session.outputMetadata) });
}

void main();
