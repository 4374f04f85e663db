import { stat, unlink } from 'node:fs/promises';
import type { RecordingSegment } from './types.js';
import { closeSegment } from './segment-files.js';

/**
 * Gives the segments of one camera child their final names as splitmuxsink opens and closes them.
 * Times come from the pipeline's running time (exact, contiguous); the wall clock anchors them once,
 * at the child's first segment message.
 */
export class SegmentNamer {
  private readonly open = new Map<string, number>();
  private wallAtRunningZero?: number;
  private pending = new Set<Promise<void>>();

  constructor(
    private readonly cameraId: string,
    private readonly onSegment: (segment: RecordingSegment) => void,
    private readonly onFailed: (file: string, message: string) => void,
  ) {}

  opened(location: string, runningNs?: number): void {
    this.open.set(location, this.wallTime(runningNs));
  }

  closed(location: string, runningNs?: number): void {
    const end = this.wallTime(runningNs);
    const start = this.open.get(location) ?? end - 1000;
    this.open.delete(location);
    this.name(location, start, end);
  }

  /**
   * After the child is gone: segments still open (closed by its EOS without a message, or cut short by
   * a crash: MPEG-TS stays readable up to its last packet) are named here, ending now; then every
   * rename has finished.
   */
  async finish(): Promise<void> {
    const now = Date.now();
    for (const [location, start] of this.open) this.name(location, start, now);
    this.open.clear();
    while (this.pending.size > 0) await Promise.all(this.pending);
  }

  private wallTime(runningNs?: number): number {
    if (runningNs === undefined) return Date.now();
    const runningMs = runningNs / 1e6;
    this.wallAtRunningZero ??= Date.now() - runningMs;
    return this.wallAtRunningZero + runningMs;
  }

  private name(location: string, startMs: number, endMs: number): void {
    const p = nameOrDrop(this.cameraId, location, startMs, Math.max(startMs + 1, endMs))
      .then((segment) => segment && this.onSegment(segment), (err: Error) => this.onFailed(location, err.message))
      .finally(() => this.pending.delete(p));
    this.pending.add(p);
  }
}

/** A segment the child opened but never wrote to (it ended first) holds nothing to keep: removed, not named. */
async function nameOrDrop(cameraId: string, location: string, startMs: number, endMs: number): Promise<RecordingSegment | undefined> {
  const st = await stat(location).catch(() => undefined);
  if (st?.size === 0) {
    await unlink(location).catch(() => undefined);
    return undefined;
  }
  return closeSegment(cameraId, location, startMs, endMs);
}
