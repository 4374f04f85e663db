/**
 * What the detection subsystem publishes on the bus (`detection.event`, `detection.snapshot`): the
 * payload types every consumer (outbox, clips, runtime, tests) reads, kept in core so none of them
 * reaches into detection's internals.
 */

/** [x1, y1, x2, y2]: plain numbers. The branded kinds (NormBox here, PixelBox in detection) say which space. */
export type Box = readonly [number, number, number, number];

/**
 * A box in 0..1 of the frame: how boxes leave detection (events, the status page). Inside detection
 * boxes are PixelBox; agent/detection/coords.ts is the one place that converts between the two.
 */
export type NormBox = Box & { readonly __space: 'norm' };

export function normBox(x1: number, y1: number, x2: number, y2: number): NormBox {
  return [x1, y1, x2, y2] as unknown as NormBox;
}

/** Which way a track crossed a counting line: `ab` from the left of from→to to its right (on screen), `ba` back. */
export type LineDirection = 'ab' | 'ba';
/** Overall image-space heading of a track's path; `none` when it barely moved. */
export type Heading = 'up' | 'up-right' | 'right' | 'down-right' | 'down' | 'down-left' | 'left' | 'up-left' | 'none';
export const HEADINGS: readonly Heading[] = ['up', 'up-right', 'right', 'down-right', 'down', 'down-left', 'left', 'up-left', 'none'];
/** The colour names an object's dominant colour is given in (docs/analytics.md). */
export const COLOUR_NAMES = ['red', 'orange', 'yellow', 'green', 'blue', 'purple', 'pink', 'brown', 'black', 'grey', 'white'] as const;
export type ColourName = (typeof COLOUR_NAMES)[number];

export interface LineCrossing {
  line: string;
  direction: LineDirection;
  /** Capture time of the sighting that completed the crossing. */
  ts: number;
}

export interface ObjectEvent {
  type: 'start' | 'update' | 'end';
  camera: string;
  objectId: string;
  label: string;
  score: number;
  topScore: number;
  box: NormBox;
  zones: string[];
  startTs: number;
  endTs?: number;
  ts: number;
  /** Analytics (docs/analytics.md), each only when it applies. Lines crossed since the last event (`update`), or all of them (`end`). */
  crossings?: LineCrossing[];
  /** Median speed over a measured zone (zones[].distances); never guessed. */
  speedKmh?: number;
  /** The object stayed longer than a zone's loiterSeconds (once, on an `update`). */
  loitering?: boolean;
  /** `end` only: the overall heading of the object's path in the image. */
  direction?: Heading;
  /** `end` only: the dominant colour of the object's best crop. */
  colour?: ColourName;
}

/** One interval's line counts of one camera line: the `counts` payload (docs/analytics.md). */
export interface LineCountReport {
  /** Deterministic (camera, line, interval start): a re-sent report dedupes on it. */
  id: string;
  camera: string;
  line: string;
  /** ISO-8601 interval bounds on the camera's capture clock, [from, to). */
  from: string;
  to: string;
  /** Per label: crossings each way. */
  counts: Record<string, Record<LineDirection, number>>;
}

/** The best frame of an event as a JPEG with its box drawn. */
export interface Snapshot {
  camera: string;
  objectId: string;
  ts: number;
  jpeg: Buffer;
}
