import type { ErrorTable } from '../core/error-table.js';

/**
 * Codes of diagnostics (agent/diagnostics/): scheduled jobs, the status page, and the fallbacks of
 * `edge-agent diag` checks. The checks themselves report by check id, each warn/fail with its remedy
 * (docs/diagnostics.md).
 */
export const DiagnosticsErrorCodes = {
  JOB_FAILED: {
    summary: 'a scheduled job threw; the log names the job',
    remedy: 'the message says why; the job runs again at its next time',
  },
  STATUS_PAGE_FAILED: {
    summary: 'the status page could not answer a request (answered 500)',
    remedy: 'the message says why; report it if it repeats',
  },
  MODEL_LOAD: {
    summary: 'the `detector.model` check could not load the model for a reason without its own `MODEL_*` code (`MODEL_LOAD_<errno>` when the system named one)',
    remedy: 'run `scripts/setup.sh` (it converts and installs `models/centernet.onnx` with its manifest)',
  },
  GST: {
    summary: 'the `camera.<id>.decode` check failed to decode for a reason without its own code (the check reports the message)',
    remedy: 'check the camera decoder setting and the `gstreamer.elements` check',
  },
} as const satisfies ErrorTable;
