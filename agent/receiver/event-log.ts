import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

export interface GapReport {
  gateway: string;
  /** First and last missing seq (inclusive). */
  fromSeq: number;
  toSeq: number;
  detectedAt: string;
}

export type EventOutcome =
  | { kind: 'new'; id: string | null; seq: number | null; gap?: GapReport; late?: boolean }
  | { kind: 'duplicate'; id: string };

interface GatewaySeqs { lowest: number; highest: number; seen: Set<number> }

/**
 * `events.jsonl` (one line per event message) and `gaps.jsonl`. The event file is also the memory:
 * on start it is read back for the ids and seqs already written, so a restarted receiver (a broker
 * redelivering unacknowledged messages) neither duplicates events nor reports old gaps again.
 */
export class EventLog {
  readonly eventsFile: string;
  readonly gapsFile: string;
  private readonly ids = new Set<string>();
  private readonly seqs = new Map<string, GatewaySeqs>();
  duplicates = 0;

  constructor(outDir: string) {
    this.eventsFile = path.join(outDir, 'events.jsonl');
    this.gapsFile = path.join(outDir, 'gaps.jsonl');
    this.load();
  }

  get count(): number {
    return this.ids.size;
  }

  /** Seqs missing per gateway right now (between the lowest and highest seen). */
  missing(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [gw, s] of this.seqs) {
      out[gw] = s.highest - s.lowest + 1 - s.seen.size;
    }
    return out;
  }

  /** Records one event message unless its id was seen before; reports a jump in seq as a gap. */
  record(gateway: string, event: Record<string, unknown>, receivedAt = new Date()): EventOutcome {
    const id = typeof event.id === 'string' || typeof event.id === 'number' ? String(event.id) : null;
    if (id !== null && this.ids.has(`${gateway}\u0000${id}`)) {
      this.duplicates++;
      return { kind: 'duplicate', id };
    }
    const seq = typeof event.seq === 'number' && Number.isInteger(event.seq) ? event.seq : null;
    appendFileSync(this.eventsFile, JSON.stringify({ gateway, receivedAt: receivedAt.toISOString(), event }) + '\n');
    if (id !== null) this.ids.add(`${gateway}\u0000${id}`);
    if (seq === null) return { kind: 'new', id, seq };
    const s = this.seqs.get(gateway);
    if (!s) {
      this.seqs.set(gateway, { lowest: seq, highest: seq, seen: new Set([seq]) });
      return { kind: 'new', id, seq };
    }
    const late = seq < s.highest && !s.seen.has(seq);
    s.seen.add(seq);
    s.lowest = Math.min(s.lowest, seq);
    let gap: GapReport | undefined;
    if (seq > s.highest + 1) {
      gap = { gateway, fromSeq: s.highest + 1, toSeq: seq - 1, detectedAt: receivedAt.toISOString() };
      appendFileSync(this.gapsFile, JSON.stringify({ kind: 'gap', ...gap, missing: gap.toSeq - gap.fromSeq + 1 }) + '\n');
    }
    if (late) appendFileSync(this.gapsFile, JSON.stringify({ kind: 'late', gateway, seq, detectedAt: receivedAt.toISOString() }) + '\n');
    s.highest = Math.max(s.highest, seq);
    return { kind: 'new', id, seq, gap, late };
  }

  private load(): void {
    if (!existsSync(this.eventsFile)) return;
    const text = readFileSync(this.eventsFile, 'utf8');
    if (text && !text.endsWith('\n')) appendFileSync(this.eventsFile, '\n'); // a crash cut the last line short
    for (const line of text.split('\n')) {
      if (!line.trim()) continue;
      let row: { gateway?: string; event?: { id?: unknown; seq?: unknown } };
      try {
        row = JSON.parse(line) as typeof row;
      } catch {
        continue; // a line cut short by a crash: its message was never acknowledged and comes again
      }
      const gw = row.gateway ?? '';
      const id = row.event?.id;
      if (typeof id === 'string' || typeof id === 'number') this.ids.add(`${gw}\u0000${String(id)}`);
      const seq = row.event?.seq;
      if (typeof seq === 'number') {
        const s = this.seqs.get(gw) ?? { lowest: seq, highest: seq, seen: new Set<number>() };
        s.seen.add(seq);
        s.lowest = Math.min(s.lowest, seq);
        s.highest = Math.max(s.highest, seq);
        this.seqs.set(gw, s);
      }
    }
  }
}
