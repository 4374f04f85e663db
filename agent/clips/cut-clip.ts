import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, statSync, unlinkSync } from 'node:fs';
import path from 'node:path';
import { AgentError } from '../core/errors.js';
import { INSTALL_ROOT } from '../core/version.js';
import type { Recordings } from './recordings.js';

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

interface ChildOutput {
  ok: boolean;
  error?: string;
  frames?: number;
  firstMs?: number;
  lastMs?: number;
  codec?: string;
  skipped?: { path: string; reason: string }[];
}

/** /usr/bin/python3 carries python3-gi on Debian; a python3 earlier on PATH (venv, pyenv) may not. */
const PYTHON = process.env.EDGE_PYTHON ?? '/usr/bin/python3';

function cutScript(): string {
  const beside = path.join(__dirname, 'cut-clip.py');
  return existsSync(beside) ? beside : path.join(INSTALL_ROOT, 'agent/clips/cut-clip.py');
}

/**
 * Cuts [fromMs, toMs] of one camera's recording into an MP4 without re-encoding, starting on the last
 * key frame at or before fromMs. The GStreamer work runs in a child process with a deadline, so a bad
 * file can only fail this clip. A range only partly recorded gives the recorded part (see startMs/endMs).
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
  if (segments.length === 0) {
    throw new AgentError('CLIP_NO_RECORDING', `camera ${cameraId} has no recording between ${new Date(fromMs).toISOString()} and ${new Date(toMs).toISOString()}`, 'check that recording is on for this camera and that retention (recording.retentionHours, maxBytes) keeps that far back');
  }

  const timeoutMs = Math.ceil(req.timeoutMs ?? 60_000 + (toMs - fromMs) / 2);
  const input = JSON.stringify({
    segments: segments.map((s) => ({ path: s.path, startMs: s.startTs })),
    fromMs, toMs, out: outFile, timeoutS: timeoutMs / 1000,
  });
  mkdirSync(path.dirname(outFile), { recursive: true });
  const release = req.recordings.pin(segments.map((s) => s.path));
  let out: ChildOutput;
  try {
    out = await runChild(input, timeoutMs + 5000);
  } finally {
    release();
  }
  if (!out.ok) {
    try { unlinkSync(outFile); } catch { /* never written */ }
    throw new AgentError('CLIP_CUT_FAILED', `cutting the clip of camera ${cameraId} failed: ${out.error ?? 'unknown error'}`, 'check the recording segments (edge-agent diag) and the GStreamer installation');
  }
  return {
    file: outFile,
    bytes: statSync(outFile).size,
    startMs: Math.round(out.firstMs ?? fromMs),
    endMs: Math.round(out.lastMs ?? toMs),
    frames: out.frames ?? 0,
    codec: out.codec ?? 'unknown',
    skipped: out.skipped ?? [],
  };
}

function runChild(input: string, killAfterMs: number): Promise<ChildOutput> {
  return new Promise((resolve) => {
    execFile(PYTHON, [cutScript(), input], { timeout: killAfterMs, killSignal: 'SIGKILL', maxBuffer: 1 << 20 }, (err, stdout, stderr) => {
      const line = stdout.trim().split('\n').pop() ?? '';
      try {
        const parsed = JSON.parse(line) as ChildOutput;
        if (typeof parsed.ok === 'boolean') return resolve(parsed);
      } catch { /* fall through */ }
      const why = err && 'killed' in err && err.killed ? `no result within ${killAfterMs} ms (killed)` : (stderr.trim().split('\n').pop() ?? err?.message ?? 'no output');
      resolve({ ok: false, error: why });
    });
  });
}
