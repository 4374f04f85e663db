import { readFileSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '../../support/tmp.js';

/** The hand count of test/fixtures/analytics/bgslib_video02.line.json (how it was made: its README). */
export interface LineGroundTruth {
  video: string;
  width: number;
  height: number;
  fps: number;
  line: { name: string; from: [number, number]; to: [number, number] };
  crossings: { frame: number; direction: 'ab' | 'ba'; label: string }[];
  totals: { ab: number; ba: number };
}

/** Motor vehicles: what the hand count counts (its cyclist is not in the totals). */
export const MOTOR_LABELS: ReadonlySet<string> = new Set(['car', 'truck', 'bus', 'motorcycle']);

export function loadLineGroundTruth(): LineGroundTruth {
  return JSON.parse(readFileSync(path.join(REPO_ROOT, 'test/fixtures/analytics/bgslib_video02.line.json'), 'utf8')) as LineGroundTruth;
}
