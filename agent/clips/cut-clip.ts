import { mkdirSync, statSync, unlinkSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { AgentError } from '../core/errors.js';
import type { RecordingSegment } from '../ingest/types.js';
import { indexTs, type TsIndex } from './mpegts.js';
import type { Recordings } from './recordings.js';
import { GstLaunch, toTsArgs, tsToMp4Args } from './remux.js';
import { frameWallMs, framesToKeep, TsSplicer } from './ts-splice.js';

export interface CutClipRequest {
  recordings: Recordings;
  cameraId: string;
  fromMs: number;
  toMs: number;
  outFile: string;
  /** `clips.maxSeconds`: longest range a cut may ask for. */
  maxSeconds?: number;
  /** Kill the cutting process after this long (default 60 s plus half the clip length). */
  timeoutMs?: number;
}

export interface CutClipResult {
  file: string;
  bytes: number;
  /** Wall-clock time of the first frame (a key frame at or before fromMs when recorded). */
  startMs: number;
  /** Wall-clock time of the last frame. */
  endMs: number;
  frames: number;
  codec: string;
  /** Segments that could not be read (corrupt, truncated) and were left out. */
  skipped: { path: string; reason: string }[];
}

interface LoadedSegment { data: Buffer; index: TsIndex }

/**
 * Cuts [fromMs, toMs] of one camera's recording into an MP4 without re-encoding, starting on the last
 * key frame at or before fromMs and ending on the last frame at or before toMs. The frames are chosen
 * here, in the TS packets (mpegts.ts, ts-splice.ts); GStreamer only remuxes them, in a gst-launch
 * child with a deadline (remux.ts), so a bad file can only fail this clip. Segments are read one at a
 * time. A range only partly recorded gives the recorded part (see startMs/endMs).
 */
export async function cutClip(req: CutClipRequest): Promise<CutClipResult> {
  const { cameraId, fromMs, toMs, outFile } = req;
  if (!Number.isFinite(fromMs) || !Number.isFinite(toMs) || toMs <= fromMs) {
    throw new AgentError('CLIP_RANGE_INVALID', `clip range ${fromMs}..${toMs} of camera ${cameraId} is empty or not a number`, 'give fromMs < toMs as epoch milliseconds');
  }
  const maxSeconds = req.maxSeconds ?? 300;
  if (toMs - fromMs > maxSeconds * 1000) {
    throw new AgentError('CLIP_TOO_LONG', `clip of ${((toMs - fromMs) / 1000).toFixed(1)} s asked, clips.maxSeconds is ${maxSeconds}`, 'ask for a shorter range or several clips, or raise clips.maxSeconds');
  }
  const segments = req.recordings.overlapping(cameraId, fromMs, toMs);
  if (segments.length === 0) throw noRecording(cameraId, fromMs, toMs, 'check that recording is on for this camera and that retention (recording.retentionHours, maxBytes) keeps that far back');

  const timeoutMs = Math.ceil(req.timeoutMs ?? 60_000 + (toMs - fromMs) / 2);
  const deadline = Date.now() + timeoutMs;
  mkdirSync(path.dirname(outFile), { recursive: true });
  const release = req.recordings.pin(segments.map((s) => s.path));
  const skipped: CutClipResult['skipped'] = [];
  let missing = 0;
  let remux: GstLaunch | undefined;
  try {
    let splicer: TsSplicer | undefined;
    let frames = 0;
    let startMs = 0;
    let endMs = 0;
    for (const seg of segments) {
      const loaded = await loadSegment(seg, Math.max(1000, deadline - Date.now())).catch((err: Error) => {
        skipped.push({ path: seg.path, reason: err.message });
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') return;
        missing++;
        req.recordings.forget(seg.path, cameraId);
      });
      if (!loaded) continue;
      const { data, index } = loaded;
      if (splicer && index.track.streamType !== splicer.track.streamType) {
        skipped.push({ path: seg.path, reason: `codec changed to ${index.track.codec} (stream type ${index.track.streamType})` });
        continue;
      }
      const { first, end } = framesToKeep(index, seg.startTs, fromMs, toMs, frames > 0);
      if (end > first) {
        if (!splicer) {
          splicer = new TsSplicer(index.track);
          remux = new GstLaunch(tsToMp4Args(index.track.parser, outFile), Math.max(1000, deadline - Date.now()));
          await remux.write(splicer.header());
          startMs = frameWallMs(index, seg.startTs, first);
        }
        await remux!.write(splicer.splice(data, index, first, end));
        frames += end - first;
        endMs = frameWallMs(index, seg.startTs, end - 1);
      }
      if (end < index.frames.length && frames > 0) break; // past toMs
    }
    if (!splicer || !remux) {
      if (missing === segments.length) {
        throw noRecording(cameraId, fromMs, toMs, 'the segments were deleted from disk outside the agent; check what removes files under recordings/');
      }
      const why = skipped.length ? `no readable segment: ${skipped.map((s) => `${path.basename(s.path)}: ${s.reason}`).join('; ')}` : 'no key frame in the requested range';
      throw new Error(why);
    }
    await remux.finish();
    return { file: outFile, bytes: statSync(outFile).size, startMs: Math.round(startMs), endMs: Math.round(endMs), frames, codec: splicer.track.codec, skipped };
  } catch (err) {
    remux?.kill();
    try { unlinkSync(outFile); } catch { /* never written */ }
    if (err instanceof AgentError) throw err;
    throw new AgentError('CLIP_CUT_FAILED', `cutting the clip of camera ${cameraId} failed: ${(err as Error).message}`, 'check the recording segments (edge-agent diag) and the GStreamer installation');
  } finally {
    release();
  }
}

function noRecording(cameraId: string, fromMs: number, toMs: number, remedy: string): AgentError {
  return new AgentError('CLIP_NO_RECORDING', `camera ${cameraId} has no recording between ${new Date(fromMs).toISOString()} and ${new Date(toMs).toISOString()}`, remedy);
}

/** A segment's bytes as MPEG-TS (what ingest writes; MP4/MKV go through GStreamer first) and its frame index. */
async function loadSegment(seg: RecordingSegment, timeoutMs: number): Promise<LoadedSegment> {
  const data = seg.path.endsWith('.ts') ? await readFile(seg.path) : await new GstLaunch(toTsArgs(seg.path), timeoutMs).finish();
  return { data, index: indexTs(data) };
}
