import { readdir, rename, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import type { RecordingSegment } from './types.js';

/**
 * Recording files. The segment writer fills hidden `.partial-<runId>-NNNNN.ts` files; once a segment
 * is closed it is renamed to `<startMs>_<endMs>.ts` (wall-clock ms), the name retention and clip
 * cutting rely on. MPEG-TS because a file cut short by a power loss or kill -9 stays playable up to
 * its last packet (MP4 needs its index written at the end).
 */
export const SEGMENT_EXT = 'ts';
const PARTIAL = /^\.partial-\d+-\d+\.ts$/;
const FINAL = /^(\d+)_(\d+)\.ts$/;

export function partialSegmentPattern(runId: number): string {
  return `.partial-${runId}-%05d.${SEGMENT_EXT}`;
}

export function finalSegmentName(startMs: number, endMs: number): string {
  return `${Math.round(startMs)}_${Math.round(endMs)}.${SEGMENT_EXT}`;
}

/** Start and end of a closed segment from its file name, or undefined for any other file. */
export function parseSegmentName(name: string): { startTs: number; endTs: number } | undefined {
  const m = FINAL.exec(name);
  return m ? { startTs: Number(m[1]), endTs: Number(m[2]) } : undefined;
}

/** Renames a closed partial file to its final name and describes it. */
export async function closeSegment(cameraId: string, partialPath: string, startMs: number, endMs: number): Promise<RecordingSegment> {
  const finalPath = path.join(path.dirname(partialPath), finalSegmentName(startMs, endMs));
  await rename(partialPath, finalPath);
  const { size } = await stat(finalPath);
  return { cameraId, path: finalPath, startTs: Math.round(startMs), endTs: Math.round(endMs), bytes: size };
}

/**
 * Partial files left by a camera process that was killed (or a power loss): they are still readable
 * MPEG-TS, so they are kept and named by their file times (birth → last write; the segment length
 * when the file system has no birth time). Empty ones are removed.
 */
export async function recoverPartialSegments(cameraId: string, dir: string, segmentSeconds: number): Promise<RecordingSegment[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return [];
  }
  const out: RecordingSegment[] = [];
  for (const name of names.filter((n) => PARTIAL.test(n)).sort()) {
    const file = path.join(dir, name);
    try {
      const st = await stat(file);
      if (st.size === 0) {
        await unlink(file);
        continue;
      }
      const end = st.mtimeMs;
      const born = st.birthtimeMs > 0 && st.birthtimeMs < end ? st.birthtimeMs : end - segmentSeconds * 1000;
      out.push(await closeSegment(cameraId, file, born, end));
    } catch {
      // vanished or unreadable meanwhile: nothing to recover
    }
  }
  return out;
}
