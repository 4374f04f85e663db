import type { InferenceSession } from 'onnxruntime-node';

/**
 * onnxruntime options for the shared detector session. Intra-op threads do not spin-wait between
 * operators: on a gateway the cores are shared with the GStreamer pipelines, and spinning threads
 * there cost more than they save (measured on the 2-core VM under load: 2 threads p50 ~120 ms
 * spinning vs ~60–90 ms not).
 * No memory-pattern planning: it pre-plans one block per input shape on top of the arena, ~40 MB RSS
 * for the 512x512 model, and buys no inference time (interleaved A/B, 40 runs each: p50 100.5 ms with
 * it, 102.1 without). The CPU arena stays: without it p50 rose 2–3x (every run mallocs its tensors).
 */
export function detectorSessionOptions(threads: number): InferenceSession.SessionOptions {
  return {
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: 'all',
    enableMemPattern: false,
    extra: { session: { intra_op: { allow_spinning: '0' } } },
  };
}
