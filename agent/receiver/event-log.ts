import { closeSync, existsSync, fdatasyncSync, openSync, readFileSync, writeSync } from 'node:fs';
import path from 'node:path';
import { SeqTracker } from './seq-tracker.js';

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

/** Event ids remembered per gateway for the duplicate check (the most recent ones). */
export const DEFAULT_MAX_EVENT_IDS = 100_000;

/**
 * `events.jsonl` (one line per event message) and `gaps.jsonl`. The event file is also the memory:
 * on start it is read back for the ids and seqs already written, so a restarted receiver (a broker
 * redelivering unacknowledged messages) neither duplicates events nor reports old gaps again.
 * The ids (and seqs, seq-tracker.ts) kept are the last `maxIdsPerGateway` of each gateway: a redelivery older than that would be
 * written again (a gateway's outbox redelivers what is unacknowledged, which is far fewer).
 * Each line is fdatasync'ed before record() returns, so the message is acknowledged only once it is on disk.
 */
export class EventLog {
  readonly eventsFile: string;
  readonly gapsFile: string;
  private readonly ids = new Map<string, Set<string>>();
  private readonly seqs = new Map<string, SeqTracker>();
  private eventsFd?: number;
  private gapsFd?: number;
  private lines = 0;
  duplicates = 0;

  constructor(outDir: string, private readonly maxIdsPerGateway = DEFAULT_MAX_EVENT_IDS) {
    this.eventsFile = path.join(outDir, 'events.jsonl');
    this.gapsFile = path.join(outDir, 'gaps.jsonl');
    this.load();
  }

  /** Event lines in events.jsonl. */
  get count(): number {
    return this.lines;
  }

  /** Ids held for the duplicate check, per gateway (each at most maxIdsPerGateway). */
  idsKept(): Record<string, number> {
    return Object.fromEntries([...this.ids].map(([gw, set]) => [gw, set.size]));
  }

  close(): void {
    for (const fd of [this.eventsFd, this.gapsFd]) if (fd !== undefined) closeSync(fd);
    this.eventsFd = this.gapsFd = undefined;
  }

  /** Seqs missing per gateway right now (between the lowest and highest seen). */
  missing(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [gw, s] of this.seqs) out[gw] = s.missing;
    return out;
  }

  /** Records one event message unless its id was seen before; reports a jump in seq as a gap. */
  record(gateway: string, event: Record<string, unknown>, receivedAt = new Date()): EventOutcome {
    const id = typeof event.id === 'string' || typeof event.id === 'number' ? String(event.id) : null;
    if (id !== null && this.ids.get(gateway)?.has(id)) {
      this.duplicates++;
      return { kind: 'duplicate', id };
    }
    const seq = typeof event.seq === 'number' && Number.isInteger(event.seq) ? event.seq : null;
    this.eventsFd ??= openSync(this.eventsFile, 'a');
    appendDurably(this.eventsFd, JSON.stringify({ gateway, receivedAt: receivedAt.toISOString(), event }) + '\n');
    this.lines++;
    if (id !== null) this.remember(gateway, id);
    if (seq === null) return { kind: 'new', id, seq };
    const s = this.seqs.get(gateway);
    if (!s) {
      this.seqs.set(gateway, new SeqTracker(seq, this.maxIdsPerGateway));
      return { kind: 'new', id, seq };
    }
    const { gapFrom, late } = s.note(seq);
    let gap: GapReport | undefined;
    if (gapFrom !== undefined) {
      gap = { gateway, fromSeq: gapFrom, toSeq: seq - 1, detectedAt: receivedAt.toISOString() };
      this.appendGap(JSON.stringify({ kind: 'gap', ...gap, missing: gap.toSeq - gap.fromSeq + 1 }));
    }
    if (late) this.appendGap(JSON.stringify({ kind: 'late', gateway, seq, detectedAt: receivedAt.toISOString() }));
    return { kind: 'new', id, seq, gap, late };
  }

  private appendGap(line: string): void {
    this.gapsFd ??= openSync(this.gapsFile, 'a');
    appendDurably(this.gapsFd, line + '\n');
  }

  /** Insertion order is age: past the bound the oldest id goes. */
  private remember(gateway: string, id: string): void {
    let set = this.ids.get(gateway);
    if (!set) this.ids.set(gateway, (set = new Set()));
    set.delete(id);
    set.add(id);
    if (set.size > this.maxIdsPerGateway) set.delete(set.values().next().value as string);
  }

  private load(): void {
    if (!existsSync(this.eventsFile)) return;
    const text = readFileSync(this.eventsFile, 'utf8');
    if (text && !text.endsWith('\n')) { // a crash cut the last line short
      this.eventsFd = openSync(this.eventsFile, 'a');
      appendDurably(this.eventsFd, '\n');
    }
    for (const line of text.split('\n')) {
      if (!line.trim()) continue;
      let row: { gateway?: string; event?: { id?: unknown; seq?: unknown } };
      try {
        row = JSON.parse(line) as typeof row;
      } catch {
        continue; // a line cut short by a crash: its message was never acknowledged and comes again
      }
      const gw = row.gateway ?? '';
      this.lines++;
      const id = row.event?.id;
      if (typeof id === 'string' || typeof id === 'number') this.remember(gw, String(id));
      const seq = row.event?.seq;
      if (typeof seq === 'number' && Number.isInteger(seq)) {
        const s = this.seqs.get(gw);
        if (s) s.note(seq);
        else this.seqs.set(gw, new SeqTracker(seq, this.maxIdsPerGateway));
      }
    }
  }
}

function appendDurably(fd: number, text: string): void {
  writeSync(fd, text);
  fdatasyncSync(fd);
}
