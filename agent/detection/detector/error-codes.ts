import type { ErrorTable } from '../../core/error-table.js';

/** Codes of the model manifest, model load and inference (agent/detection/detector/, docs/detector.md). */
export const DetectorErrorCodes = {
  MODEL_MANIFEST_NOT_FOUND: {
    summary: '`detection.model` points at no file',
    remedy: 'fix the path, or run `scripts/setup.sh`',
  },
  MODEL_MANIFEST_INVALID: {
    summary: 'not JSON, or fails the schema (every problem listed by JSON path), or `std` has a 0',
    remedy: 'fix the manifest',
  },
  MODEL_FILE_NOT_FOUND: {
    summary: 'the manifest\'s `file` does not exist',
    remedy: 'run `scripts/setup.sh` (converts the bundled model) or fix `file`',
  },
  MODEL_CALIBRATION_REFUSED: {
    summary: 'int8 calibration (scripts/calibrate-model.ts) was refused: its frames are blank, or the fp32 model sees a tracked object in fewer than 10 % of them (ranges from an empty scene would be meaningless)',
    remedy: 'calibrate on frames of a real scene with traffic or people (the shared street clips)',
  },
  MODEL_CALIBRATION_STALE: {
    summary: 'set-up found an int8 calibration file measured on a different fp32 model (its tensor names or model hash do not match)',
    remedy: 'run `npx tsx scripts/calibrate-model.ts` and commit the new models/centernet-<size>.calibration.json',
  },
  MODEL_LOAD_FAILED: {
    summary: 'onnxruntime cannot load the file',
    remedy: 'use a valid ONNX model; re-run set-up for the bundled one',
  },
  MODEL_IO_MISMATCH: {
    summary: 'input/output name missing, input size/layout differs, or output shape does not fit the decoder and label count',
    remedy: 'make the manifest describe the model',
  },
  DETECTOR_INFERENCE_FAILED: {
    summary: '`session.run` failed for one job',
    remedy: 'check the manifest input size and layout',
  },
  DETECTOR_WORKER_FAILED: {
    summary: 'the inference worker crashed or exited',
    remedy: 'restarted on the next job; check memory and the model',
  },
  DETECTOR_UNAVAILABLE: {
    summary: 'a job arrives within 5 s of a worker crash; also logged when the detector fails to load and the agent runs without object detection',
    remedy: 'wait; see the log for the cause',
  },
  DETECTOR_BAD_REGION: {
    summary: '`detect()` with an empty region',
    remedy: 'caller bug',
  },
  DETECTOR_BAD_FRAME: {
    summary: 'the frame is not I420 or has fewer bytes than its size needs',
    remedy: 'ingest must hand over tightly packed I420',
  },
  DETECTOR_CLOSED: {
    summary: '`detect()` after `close()`, or the job in flight at close',
    remedy: '—',
  },
} as const satisfies ErrorTable;
