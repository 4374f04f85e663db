import type { VideoFrame } from '../../ingest/types.js';
import type { Detection, PixelBox } from '../types.js';

/**
 * What the detection stage uses of the shared detector (DetectorService), so the stage can be built
 * and tested against that narrow surface.
 */
export interface DetectorLike<S = unknown> {
  /** The model's input size in pixels: regions are sized around it. */
  readonly inputSize: { width: number; height: number };
  /** Set when the model takes windows of the frame at its scale (regions of any size on this stride's grid). */
  readonly windowStride?: number;
  /** Labels the model can produce; a tracked label not among them is reported at start-up. */
  readonly labels?: readonly string[];
  /** Detections of all the frame's regions in frame pixels, or 'dropped' when the shared queue evicted the job. */
  detect(req: { cameraId: string; frame: VideoFrame; regions: readonly PixelBox[] }): Promise<Detection[] | 'dropped'>;
  stats(): S;
}
