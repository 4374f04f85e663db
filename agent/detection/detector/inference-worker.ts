/**
 * Worker thread holding the one onnxruntime session: onnxruntime-node's run() is synchronous
 * under its promise, so running it here — with whatever preprocessing feeds it — keeps 15+ ms of
 * work per region from stalling the agent's event loop (MQTT keep-alives, the outbox, camera IPC).
 * A job is one frame with all its regions: each is fed from that one frame (model-feeds.ts), inferred
 * and decoded in turn; only the detections go back (a heads output is 3 MB per inference: sent to the main thread it
 * cost that thread a decode and a twelfth of its time in garbage collection with four cameras).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { performance } from 'node:perf_hooks';
import * as ort from 'onnxruntime-node';
import { DECODERS } from './decoders.js';
import { modelFeeds } from './model-feeds.js';
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

/** Feeds and infers each region of the one frame in turn. */
async function runRegions(session: ort.InferenceSession, req: RunRequest): Promise<RegionOutput[]> {
  const outputs: RegionOutput[] = [];
  for (const [i, region] of req.regions.entries()) {
    const size = req.sizes[i];
    const t0 = performance.now();
    const inputs = modelFeeds(req.frame, region, req.input, size);
    const started = performance.now();
    const result = await session.run(inputs, [req.outputName]);
    const ms = performance.now() - started;
    const out = result[req.outputName];
    const decode = { ...req.decode, inputWidth: size.width, inputHeight: size.height };
    outputs.push({ raw: DECODERS[req.decoder](out.data as Float32Array, out.dims, decode), ms, preprocessMs: started - t0 });
  }
  return outputs;
}

void main();
