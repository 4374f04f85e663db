/**
 * A bounded job queue shared by all cameras: jobs are taken round-robin across cameras (one
 * camera's burst cannot starve another), and when full the OLDEST job of the camera holding the
 * most pending jobs is evicted — the newest frame of every camera is the one worth detecting, and a
 * quiet camera never loses its only job to a busy one.
 */
export class FairQueue<T> {
  private readonly perKey = new Map<string, { seq: number; job: T }[]>();
  private seq = 0;
  /** Round-robin order of keys with pending jobs; the head is served next. */
  private readonly ring: string[] = [];
  private count = 0;

  constructor(readonly capacity: number) {
    if (!(capacity >= 1)) throw new RangeError('capacity must be >= 1');
  }

  get size(): number {
    return this.count;
  }

  pendingFor(key: string): number {
    return this.perKey.get(key)?.length ?? 0;
  }

  /** Adds a job; returns the job evicted to stay within capacity, if any. */
  push(key: string, job: T): T | undefined {
    let list = this.perKey.get(key);
    if (!list) {
      list = [];
      this.perKey.set(key, list);
      this.ring.push(key);
    }
    list.push({ seq: this.seq++, job });
    this.count++;
    return this.count > this.capacity ? this.evict() : undefined;
  }

  /** The next job, round-robin across keys. */
  shift(): T | undefined {
    const key = this.ring.shift();
    if (key === undefined) return undefined;
    const list = this.perKey.get(key) as { seq: number; job: T }[];
    const entry = list.shift() as { seq: number; job: T };
    this.count--;
    if (list.length > 0) this.ring.push(key);
    else this.perKey.delete(key);
    return entry.job;
  }

  /** Empties the queue, returning every pending job (e.g. to settle them on close). */
  drain(): T[] {
    const all: T[] = [];
    for (const list of this.perKey.values()) for (const e of list) all.push(e.job);
    this.perKey.clear();
    this.ring.length = 0;
    this.count = 0;
    return all;
  }

  private evict(): T | undefined {
    let victim: { seq: number; job: T }[] | undefined;
    let victimKey = '';
    for (const [key, list] of this.perKey) {
      // The busiest camera loses a job; between equally busy ones, the one holding the oldest job.
      if (!victim || list.length > victim.length || (list.length === victim.length && list[0].seq < victim[0].seq)) {
        victim = list;
        victimKey = key;
      }
    }
    if (!victim) return undefined;
    const entry = victim.shift() as { seq: number; job: T };
    this.count--;
    if (victim.length === 0) {
      this.perKey.delete(victimKey);
      this.ring.splice(this.ring.indexOf(victimKey), 1);
    }
    return entry.job;
  }
}
