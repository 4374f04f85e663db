import type { ObjectEvent } from '../core/object-event.js';
import type { RecentEvent } from '../diagnostics/status-page/types.js';

/** The last N object events, newest first, for the status page. */
export class RecentEvents {
  private readonly items: RecentEvent[] = [];

  constructor(private readonly limit = 50) {}

  add(ev: ObjectEvent): void {
    this.items.unshift({ ts: new Date(ev.ts).toISOString(), type: ev.type, camera: ev.camera, label: ev.label, score: ev.score, objectId: ev.objectId });
    if (this.items.length > this.limit) this.items.length = this.limit;
  }

  list(): RecentEvent[] {
    return [...this.items];
  }
}
