import type { ErrorTable } from '../../core/error-table.js';

/** Codes of the motion detector (agent/detection/motion/, docs/motion.md). */
export const MotionErrorCodes = {
  MOTION_FRAME_SIZE: {
    summary: 'a frame of another size than the one the motion detector was built for',
    remedy: 'the detector must be rebuilt when the camera detect size changes (a bug if it reaches a log)',
  },
  MOTION_BAD_SIZE: {
    summary: 'the motion detector was asked for a non-positive or fractional frame size',
    remedy: 'check `cameras[].detect.width`/`height`',
  },
} as const satisfies ErrorTable;
