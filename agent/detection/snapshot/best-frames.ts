import type { I420Image } from '../image/i420.js';
import type { PixelBox } from '../types.js';

interface Best {
  frame: I420Image;
  box: PixelBox;
  ts: number;
}

/**
 * Keeps, per track, the frame of its best (highest-score) sighting, until the track ends. Frames
 * are copied once per processed frame however many tracks improve on it, since the bus's frame
 * buffer may be reused by the producer after the listener returns.
 */
export class BestFrames {
  private readonly best = new Map<string, Best>();

  /** Records that these tracks' best sighting is `frame` (copied once, shared between them). */
  keep(frame: I420Image, sightings: readonly { objectId: string; box: PixelBox; ts: number }[]): void {
    if (sightings.length === 0) return;
    const copy: I420Image = { width: frame.width, height: frame.height, data: Uint8Array.from(frame.data) };
    for (const s of sightings) this.best.set(s.objectId, { frame: copy, box: s.box, ts: s.ts });
  }

  /** Takes a track's best frame out (it ended or was discarded). */
  take(objectId: string): Best | undefined {
    const b = this.best.get(objectId);
    this.best.delete(objectId);
    return b;
  }

  get size(): number {
    return this.best.size;
  }
}
