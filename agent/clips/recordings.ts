import { readdirSync, statSync, unlinkSync } from 'node:fs';
import path from 'node:path';
import type { Logger } from '../core/logger.js';
import type { RecordingSegment } from '../ingest/types.js';

/** A closed segment is named `<startMs>_<endMs>.<ext>` by ingest; anything else is still being written. */
const CLOSED_SEGMENT = /^(\d{10,})_(\d{10,})\.(ts|mp4|mkv)$/;

export interface RecordingsOptions {
  /** `<dataDir>/recordings`: one folder per camera. */
  dir: string;
  retentionHours: number;
  /** Budget for the recordings of all cameras together. */
  maxBytes: number;
  logger?: Logger;
  now?: () => number;
}

export interface RetentionResult {
  deletedFiles: number;
  deletedBytes: number;
  /** Bytes left on disk, unfinished segments included. */
  remainingBytes: number;
  /** Over maxBytes even after deleting everything deletable (unfinished or pinned segments). */
  overBudget: boolean;
}

interface FileEntry { cameraId: string; path: string; bytes: number; mtimeMs: number; segment?: RecordingSegment }

/**
 * The index of recording segments on local storage, held in memory: the folders are scanned once (on
 * first use: segments from before a restart, files a crash left behind), then ingest's closed
 * segments are added from `camera.segment` (EventClips forwards them) and retention removes what it
 * deletes, so no query reads the folder again. A file deleted outside the agent is forgotten when a
 * cut or retention finds it gone. Segments a clip is being cut from are pinned so retention cannot
 * pull them away.
 */
export class Recordings {
  private readonly pins = new Map<string, number>();
  private readonly now: () => number;
  /** Closed segments per camera, oldest first. */
  private index?: Map<string, RecordingSegment[]>;
  /** Files of the first scan that are not closed segments (being written, crash orphans, foreign). */
  private strays = new Map<string, FileEntry>();

  constructor(private opts: RecordingsOptions) {
    this.now = opts.now ?? Date.now;
  }

  get dir(): string {
    return this.opts.dir;
  }

  /** New retention settings from a config update. */
  update(settings: { retentionHours: number; maxBytes: number }): void {
    this.opts = { ...this.opts, ...settings };
  }

  cameras(): string[] {
    const indexed = [...this.indexed().keys()]; // first: the first scan also finds the strays
    return [...new Set([...indexed, ...[...this.strays.values()].map((f) => f.cameraId)])].sort();
  }

  /** A segment ingest closed (`camera.segment`); one already indexed under the same path is replaced. */
  add(segment: RecordingSegment): void {
    const list = this.indexed().get(segment.cameraId) ?? [];
    this.indexed().set(segment.cameraId, list);
    this.strays.delete(segment.path);
    let bytes = segment.bytes;
    if (!(bytes > 0)) {
      try {
        bytes = statSync(segment.path).size;
      } catch {
        return; // gone already
      }
    }
    let at = list.length;
    while (at > 0 && list[at - 1].startTs > segment.startTs) at--;
    const same = list.findIndex((s) => s.path === segment.path);
    if (same >= 0) {
      list.splice(same, 1);
      if (same < at) at--;
    }
    list.splice(at, 0, { ...segment, bytes });
  }

  /** Drops a camera's file from the index (found deleted). */
  forget(file: string, cameraId: string): void {
    this.strays.delete(file);
    const list = this.indexed().get(cameraId) ?? [];
    const i = list.findIndex((s) => s.path === file);
    if (i >= 0) list.splice(i, 1);
  }

  /** Closed segments of one camera, oldest first. An unfinished or foreign file is not one. */
  segments(cameraId: string): RecordingSegment[] {
    return [...(this.indexed().get(cameraId) ?? [])];
  }

  /** Closed segments that overlap [fromMs, toMs], oldest first. */
  overlapping(cameraId: string, fromMs: number, toMs: number): RecordingSegment[] {
    return (this.indexed().get(cameraId) ?? []).filter((s) => s.endTs > fromMs && s.startTs < toMs);
  }

  /** End of the newest closed segment of a camera (what a clip can be cut up to), or null. */
  recordedUntil(cameraId: string): number | null {
    const segs = this.indexed().get(cameraId);
    return segs?.length ? segs[segs.length - 1].endTs : null;
  }

  /** Keeps segments from being deleted until the returned release is called. */
  pin(paths: string[]): () => void {
    for (const p of paths) this.pins.set(p, (this.pins.get(p) ?? 0) + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      for (const p of paths) {
        const n = (this.pins.get(p) ?? 1) - 1;
        if (n <= 0) this.pins.delete(p);
        else this.pins.set(p, n);
      }
    };
  }

  totalBytes(): number {
    return this.allFiles().reduce((sum, f) => sum + f.bytes, 0);
  }

  /**
   * Deletes segments older than retentionHours, then the oldest segments of any camera until all
   * recordings fit in maxBytes. Unfinished segments are never deleted unless a crash orphaned them
   * (untouched for longer than the retention). Called by the scheduler; reads the index, and stats
   * only the files of the first scan that were not closed segments.
   */
  enforceRetention(): RetentionResult {
    const cutoff = this.now() - this.opts.retentionHours * 3600_000;
    const all = this.allFiles();
    const tally = { deletedFiles: 0, deletedBytes: 0, remainingBytes: all.reduce((s, f) => s + f.bytes, 0) };
    const kept: FileEntry[] = [];
    for (const f of all) {
      const expired = f.segment ? f.segment.endTs < cutoff : f.mtimeMs < cutoff;
      if (!(expired && this.remove(f, 'age', tally))) kept.push(f);
    }
    for (const f of oldestClosedFirst(kept)) {
      if (tally.remainingBytes <= this.opts.maxBytes) break;
      this.remove(f, 'bytes', tally);
    }
    const result = { ...tally, overBudget: tally.remainingBytes > this.opts.maxBytes };
    if (tally.deletedFiles) this.opts.logger?.info(result, 'recording retention');
    return result;
  }

  /**
   * The outbox's call on a full disk (recordings are the first to go): deletes the oldest closed,
   * unpinned segments of any camera until `bytes` are freed; returns the bytes freed.
   */
  freeOldest(bytes: number): number {
    const all = this.allFiles();
    const tally = { deletedFiles: 0, deletedBytes: 0, remainingBytes: all.reduce((s, f) => s + f.bytes, 0) };
    for (const f of oldestClosedFirst(all)) {
      if (tally.deletedBytes >= bytes) break;
      this.remove(f, 'disk full', tally);
    }
    if (tally.deletedFiles) this.opts.logger?.warn(tally, 'disk full: oldest recordings deleted to make room for the outbox');
    return tally.deletedBytes;
  }

  /** Deletes one file unless a cut pinned it; a file already gone counts as deleted. */
  private remove(f: FileEntry, why: string, tally: { deletedFiles: number; deletedBytes: number; remainingBytes: number }): boolean {
    if (this.pins.has(f.path)) return false;
    try {
      unlinkSync(f.path);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
        this.opts.logger?.warn({ file: f.path, err: (err as Error).message }, 'recording retention: cannot delete');
        return false;
      }
    }
    this.forget(f.path, f.cameraId);
    tally.deletedFiles++;
    tally.deletedBytes += f.bytes;
    tally.remainingBytes -= f.bytes;
    this.opts.logger?.debug({ file: f.path, why }, 'recording retention: deleted');
    return true;
  }

  /** Indexed segments and the strays still on disk (their size and age refreshed). */
  private allFiles(): FileEntry[] {
    const segments = [...this.indexed().values()].flat().map((segment) => ({ cameraId: segment.cameraId, path: segment.path, bytes: segment.bytes, mtimeMs: segment.endTs, segment }));
    for (const f of this.strays.values()) {
      try {
        const st = statSync(f.path);
        f.bytes = st.size;
        f.mtimeMs = st.mtimeMs;
      } catch {
        this.strays.delete(f.path); // closed and renamed by ingest, or deleted
      }
    }
    return [...segments, ...this.strays.values()];
  }

  private indexed(): Map<string, RecordingSegment[]> {
    if (!this.index) {
      this.index = new Map();
      for (const cam of this.cameraFolders()) {
        const files = this.scanFolder(cam);
        this.index.set(cam, files.flatMap((f) => (f.segment ? [f.segment] : [])).sort((a, b) => a.startTs - b.startTs));
        for (const f of files) if (!f.segment) this.strays.set(f.path, f);
      }
    }
    return this.index;
  }

  private cameraFolders(): string[] {
    try {
      return readdirSync(this.opts.dir, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name);
    } catch {
      return [];
    }
  }

  private scanFolder(cameraId: string): FileEntry[] {
    const dir = path.join(this.opts.dir, cameraId);
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      return [];
    }
    const out: FileEntry[] = [];
    for (const name of names) {
      const file = path.join(dir, name);
      let st;
      try {
        st = statSync(file);
      } catch {
        continue; // deleted or renamed between readdir and stat: ingest closing it, or retention
      }
      if (!st.isFile()) continue;
      const m = CLOSED_SEGMENT.exec(name);
      const segment = m && Number(m[2]) >= Number(m[1])
        ? { cameraId, path: file, startTs: Number(m[1]), endTs: Number(m[2]), bytes: st.size }
        : undefined;
      out.push({ cameraId, path: file, bytes: st.size, mtimeMs: st.mtimeMs, segment });
    }
    return out;
  }
}

/** Closed segments (never one still being written), oldest end first. */
function oldestClosedFirst(files: FileEntry[]): FileEntry[] {
  return files.filter((f) => f.segment).sort((a, b) => a.segment!.endTs - b.segment!.endTs);
}
