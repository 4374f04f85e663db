import type { InferenceSession } from 'onnxruntime-node';

/**
 * onnxruntime options for the shared detector session. Intra-op threads do not spin-wait between
 * operators: on a gateway the cores are shared with the GStreamer pipelines, and spinning threads
 * there cost more than they save (measured on the 2-core VM under load: 2 threads p50 ~120 ms
 * spinning vs ~60–90 ms not).
 */
export function detectorSessionOptions(threads: number): InferenceSession.SessionOptions {
  return {
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: 'all',
    extra: { session: { intra_op: { allow_spinning: '0' } } },
  };
}
