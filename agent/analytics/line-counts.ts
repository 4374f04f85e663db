import type { LineCountReport } from '../core/object-event.js';
import type { Crossing, Direction } from './line-crossing.js';

/** Counts per label and direction. */
export type DirectionCounts = Record<string, Record<Direction, number>>;

export type { LineCountReport };

export interface LineCounterOptions {
  camera: string;
  /** Each line's name and the labels always reported (with zeros when nothing crossed). */
  lines: readonly { name: string; labels: readonly string[] }[];
  intervalSeconds: number;
  /**
   * Frames further apart than this (ms) mean the camera was not watching: the interval(s) they
   * span are not reported. Default 10 s, the camera stall timeout's default.
   */
  maxFrameGapMs?: number;
}

/** A report's id: the same for one camera, line and interval start, whoever counts it (see LineCounter). */
function countReportId(camera: string, line: string, fromMs: number): string {
  return `${camera}:${line}:${fromMs}`;
}

/**
 * Sums one camera's line crossings into contiguous intervals of `intervalSeconds`, aligned to
 * multiples of the interval on the capture clock (so restarts and other boxes cut the same
 * intervals, and the id is stable). Only intervals watched from start to end are reported: one
 * that saw frames but no crossing reports zeros; the partial first interval after a start, and any
 * interval with a frame gap over `maxFrameGapMs` (camera down, agent stopped) are not, so a gap on
 * the wire means an outage, never an empty road, and a report never claims more than was watched.
 * Fed in capture order per camera.
 */
export class LineCounter {
  private readonly intervalMs: number;
  private readonly maxGapMs: number;
  private startMs: number | null = null;
  private lastTs = 0;
  /** The current interval has been watched without a gap since its start. */
  private complete = false;
  private counts = new Map<string, DirectionCounts>();

  constructor(private readonly opts: LineCounterOptions) {
    if (!(opts.intervalSeconds > 0)) throw new RangeError('intervalSeconds must be > 0');
    this.intervalMs = opts.intervalSeconds * 1000;
    this.maxGapMs = opts.maxFrameGapMs ?? 10_000;
    this.reset();
  }

  /**
   * Moves the clock to frame time `ts` (every processed frame, with or without objects); returns
   * the reports of the intervals this closes, oldest first (intervals without a frame count as
   * watched when the frames around them are at most maxFrameGapMs apart, else they are an outage).
   */
  advance(ts: number): LineCountReport[] {
    if (this.startMs !== null && ts < this.lastTs) return [];
    const start = Math.floor(ts / this.intervalMs) * this.intervalMs;
    const gap = this.startMs !== null && ts - this.lastTs > this.maxGapMs;
    this.lastTs = ts;
    if (this.startMs === null) {
      this.startMs = start;
      this.complete = ts === start;
      return [];
    }
    if (start <= this.startMs) {
      if (gap) this.complete = false;
      return [];
    }
    const closed = this.complete && !gap ? this.reports(this.startMs) : [];
    // Frames at most maxFrameGapMs apart watched the time between them: an interval that fell between
    // two of them (a slow detector at a short interval) reports zeros; only a longer gap is an outage.
    if (!gap) {
      for (let from = this.startMs + this.intervalMs; from < start; from += this.intervalMs) {
        this.reset();
        closed.push(...this.reports(from));
      }
    }
    this.complete = !gap;
    this.startMs = start;
    this.reset();
    return closed;
  }

  /** The interval being counted now and its counts so far per line (the status page); null before the first frame. */
  running(): { from: string; counts: Record<string, DirectionCounts> } | null {
    if (this.startMs === null) return null;
    return { from: new Date(this.startMs).toISOString(), counts: Object.fromEntries([...this.counts].map(([line, c]) => [line, structuredClone(c)])) };
  }

  /** Adds a crossing seen at `crossing.ts` (advance to that time first, as a frame does). */
  add(crossing: Crossing): LineCountReport[] {
    const closed = this.advance(crossing.ts);
    const perLine = this.counts.get(crossing.line);
    if (!perLine) return closed;
    const c = (perLine[crossing.label] ??= { ab: 0, ba: 0 });
    c[crossing.direction]++;
    return closed;
  }

  private reports(fromMs: number): LineCountReport[] {
    const from = new Date(fromMs).toISOString();
    const to = new Date(fromMs + this.intervalMs).toISOString();
    return this.opts.lines.map((l) => ({
      id: countReportId(this.opts.camera, l.name, fromMs),
      camera: this.opts.camera,
      line: l.name,
      from,
      to,
      counts: this.counts.get(l.name) ?? {},
    }));
  }

  private reset(): void {
    this.counts = new Map(
      this.opts.lines.map((l) => [l.name, Object.fromEntries(l.labels.map((label) => [label, { ab: 0, ba: 0 }]))]),
    );
  }
}
