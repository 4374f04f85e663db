import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import type { RecordingSegment } from '../../../agent/ingest/types.js';
import { REPO_ROOT } from '../../support/tmp.js';

/**
 * Records a real clip into segments the way ingest does (encoded stream, splitmuxsink, split on key
 * frames) and names them `<startMs>_<endMs>.<ext>` from splitmuxsink's own fragment messages, as if the
 * recording had started at wall-clock `baseMs`.
 */
export function makeSegments(opts: { video: string; cameraDir: string; baseMs: number; container: 'ts' | 'mp4'; maxSeconds: number; demuxParse?: string }): RecordingSegment[] {
  const work = path.join(opts.cameraDir, '.work');
  mkdirSync(work, { recursive: true });
  const muxer = opts.container === 'ts' ? 'muxer=mpegtsmux' : '';
  const demuxParse = opts.demuxParse ?? 'qtdemux ! h264parse config-interval=-1';
  const pipeline = `filesrc location=${opts.video} ! ${demuxParse} ! splitmuxsink ${muxer} max-size-time=${opts.maxSeconds * 1e9} location=${work}/part%05d.${opts.container}`;
  const run = spawnSync('gst-launch-1.0', ['-m', ...pipeline.split(' ')], { encoding: 'utf8', timeout: 90000 });
  const opens = run.stdout.split('splitmuxsink-fragment-opened').length - 1;
  const closes = run.stdout.split('splitmuxsink-fragment-closed').length - 1;
  // Every fragment closed means every file is complete, even if gst-launch then stalled in its shutdown.
  if (run.status !== 0 && !(opens > 0 && opens === closes)) {
    throw new Error(`gst-launch failed (status ${String(run.status)}, signal ${String(run.signal)}, ${run.error?.message ?? ''}): ${run.stderr}`);
  }
  const opened = new Map<string, number>();
  const segments: RecordingSegment[] = [];
  for (const line of run.stdout.split('\n')) {
    const m = /splitmuxsink-fragment-(opened|closed), location=\(string\)(\S+), running-time=\(guint64\)(\d+)/.exec(line);
    if (!m) continue;
    const [, what, location, ns] = m;
    const ms = Math.round(Number(ns) / 1e6);
    if (what === 'opened') { opened.set(location, ms); continue; }
    const startTs = opts.baseMs + (opened.get(location) ?? 0);
    const endTs = opts.baseMs + ms;
    const file = path.join(opts.cameraDir, `${startTs}_${endTs}.${opts.container}`);
    renameSync(location, file);
    segments.push({ cameraId: path.basename(opts.cameraDir), path: file, startTs, endTs, bytes: 0 });
  }
  if (readdirSync(work).length) throw new Error(`segments left unnamed in ${work}`);
  rmSync(work, { recursive: true, force: true });
  return segments;
}

export interface MediaInfo {
  durationS: number;
  container: string;
  video: string | null;
  decodeError: string | null;
  firstIsKeyframe: boolean;
  decodedFrames: number;
}

/** Independent check of a produced file: Discoverer duration, first buffer a key frame, full decode. */
export function inspectMedia(file: string): MediaInfo {
  const run = spawnSync('/usr/bin/python3', [path.join(REPO_ROOT, 'test/clips/support/inspect-media.py'), file], { encoding: 'utf8', timeout: 90000 });
  if (run.status !== 0) throw new Error(`inspect failed: ${run.stderr}`);
  return JSON.parse(run.stdout.trim().split('\n').pop() ?? '') as MediaInfo;
}
