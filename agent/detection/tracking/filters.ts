import type { AgentConfig, CameraConfig, Polygon } from '../../config/schema/index.js';
import { inAnyPolygon } from '../zones.js';
import { boxArea } from '../geometry.js';
import type { PixelBox } from '../types.js';

/** The filter that applies to one label on one camera, every field resolved. */
export interface LabelFilter {
  /** A single detection below this is ignored. */
  minScore: number;
  /** The median of a track's recent scores must reach this before it is reported. */
  threshold: number;
  /** Box area bounds as fractions of the frame. */
  minArea: number;
  maxArea: number;
}

/** Which labels a camera tracks and with what filters; built once per camera config. */
export interface ObjectPolicy {
  tracked: ReadonlySet<string>;
  filterFor(label: string): LabelFilter;
  /** Object masks as configured (0..1 of the frame). */
  objectMasks: readonly Polygon[];
}

/** camera.objects.filters[label] over detection.filters[label] over detection.minScore/threshold. */
export function objectPolicy(detection: AgentConfig['detection'], camera: CameraConfig): ObjectPolicy {
  const tracked = new Set(camera.objects.track ?? detection.labels);
  const cache = new Map<string, LabelFilter>();
  return {
    tracked,
    objectMasks: camera.objectMasks,
    filterFor(label: string): LabelFilter {
      let f = cache.get(label);
      if (!f) {
        const merged = { ...detection.filters[label], ...camera.objects.filters[label] };
        f = {
          minScore: merged.minScore ?? detection.minScore,
          threshold: merged.threshold ?? detection.threshold,
          minArea: merged.minArea ?? 0,
          maxArea: merged.maxArea ?? 1,
        };
        cache.set(label, f);
      }
      return f;
    },
  };
}

/** The frame a pixel box is judged in: its area, and the policy's object masks in its pixels. */
export interface PixelFrame {
  area: number;
  objectMasks: readonly Polygon[];
}

/** Why a detection is not fed to the tracker, or null when it is. */
export function rejectReason(policy: ObjectPolicy, label: string, score: number, box: PixelBox, frame: PixelFrame): 'untracked' | 'score' | 'area' | 'mask' | null {
  if (!policy.tracked.has(label)) return 'untracked';
  const f = policy.filterFor(label);
  if (score < f.minScore) return 'score';
  const area = boxArea(box) / frame.area;
  if (area < f.minArea || area > f.maxArea) return 'area';
  if (frame.objectMasks.length > 0 && inAnyPolygon(box, frame.objectMasks)) return 'mask';
  return null;
}
