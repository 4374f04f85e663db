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
}

/** The best frame of an event as a JPEG with its box drawn. */
export interface Snapshot {
  camera: string;
  objectId: string;
  ts: number;
  jpeg: Buffer;
}
