/** What the detection subsystem gives the rest of the agent. */

/** [x1, y1, x2, y2] normalised to 0..1 of the frame. */
export type Box = [number, number, number, number];

export interface ObjectEvent {
  type: 'start' | 'update' | 'end';
  camera: string;
  objectId: string;
  label: string;
  score: number;
  topScore: number;
  box: Box;
  zones: string[];
  startTs: number;
  endTs?: number;
  ts: number;
}

export interface Snapshot {
  camera: string;
  objectId: string;
  ts: number;
  jpeg: Buffer;
}
