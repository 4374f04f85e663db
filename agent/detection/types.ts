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

/** [x1, y1, x2, y2] in pixels of the detect frame. */
export type PixelBox = [number, number, number, number];

/** One detector hit in detect-frame pixels. */
export interface Detection {
  label: string;
  score: number;
  box: PixelBox;
}
