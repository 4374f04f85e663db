/**
 * A short, real decode of a camera with the agent's own pipeline (pipelines/ via the ingest plan),
 * in a gst-launch-1.0 child process with a deadline: frames decode or they do not, at what rate, with
 * which decoder. The appsink is swapped for fpsdisplaysink (it reports rendered frames and fps) and
 * recording is left out, so diag never writes segments beside the running agent's.
 */
import { spawn } from 'node:child_process';
import type { AgentConfig, CameraConfig } from '../config/schema/index.js';
import { buildPlan } from '../ingest/pipeline-plan.js';
import { quoteGst } from '../ingest/pipeline-templates.js';

export interface DecodeProbeResult {
  frames: number;
  /** Steady-state fps (median of fpsdisplaysink's per-interval rate after the first interval). */
  fps: number | null;
  /** Decoder element seen in the running pipeline (avdec_h264, v4l2h264dec, ...), or the plan's kind. */
  decoder: string;
  planDecoder: string;
  /** First GStreamer ERROR line, when it failed. */
  error?: string;
  timedOut: boolean;
}

const DECODER_RE = /\b(avdec_[a-z0-9]+(?:_[a-z0-9]+)*?|v4l2[a-z0-9]*dec|nvv4l2decoder|openh264dec|vaapi[a-z0-9]+dec|va[a-z0-9]+dec|libde265dec|jpegdec|vp8dec|vp9dec)(?:-?\d+)?\b/;

/** The ingest plan for this camera, ready for gst-launch: no recording, fpsdisplaysink instead of the appsink. */
export async function probePipeline(camera: CameraConfig, config: AgentConfig, onvifUrl?: string): Promise<{ pipeline: string; decoder: string }> {
  const noRecord: CameraConfig = { ...camera, record: { enabled: false } };
  const plan = await buildPlan({ camera: noRecord, dataDir: config.gateway.dataDir, recording: config.recording, onvifUrl, decoderThreads: 1 });
  let pipeline = plan.pipeline.replace(/appsink name=frames[^!]*$/, 'fpsdisplaysink name=frames video-sink=fakesink text-overlay=false sync=false fps-update-interval=500 signal-fps-measurements=false');
  // File plans leave the parser to the camera process (it probes the codec, for the recording branch);
  // with recording off the decode branch needs none.
  pipeline = pipeline.replaceAll('{{parser}}', 'identity');
  if (!pipeline.includes('fpsdisplaysink')) throw new Error('the camera pipeline has no "appsink name=frames" at its end to measure');
  // gst-launch cannot set properties after parsing, so credentials go inline (never logged or reported).
  for (const { element, props } of plan.secretProps) {
    const inline = Object.entries(props).map(([k, v]) => `${k}=${quoteGst(v)}`).join(' ');
    pipeline = pipeline.replace(new RegExp(`(name=${element})(\\s)`), `$1 ${inline}$2`);
  }
  return { pipeline, decoder: plan.decoder };
}

export function runDecodeProbe(pipeline: string, planDecoder: string, opts: { measureMs: number; timeoutMs: number; signal?: AbortSignal; env?: NodeJS.ProcessEnv }): Promise<DecodeProbeResult> {
  return new Promise((resolve) => {
    const child = spawn('gst-launch-1.0', ['-v', '-e', ...splitArgs(pipeline)], { stdio: ['ignore', 'pipe', 'pipe'], env: opts.env ?? process.env });
    let out = '';
    let frames = 0;
    const rates: number[] = [];
    let decoder: string | undefined;
    let error: string | undefined;
    let errorLinesLeft = 0;
    let firstFrameAt: number | undefined;
    let timedOut = false;
    let finished = false;
    const finish = (): void => {
      if (finished) return;
      finished = true;
      clearTimeout(deadline);
      clearInterval(poll);
      opts.signal?.removeEventListener('abort', finish);
      if (child.exitCode === null) child.kill('SIGKILL');
      const steady = rates.length > 1 ? rates.slice(1) : rates;
      const sorted = [...steady].sort((a, b) => a - b);
      resolve({ frames, fps: sorted.length ? sorted[Math.floor(sorted.length / 2)] : null, decoder: decoder ?? planDecoder, planDecoder, error, timedOut });
    };
    const onData = (d: Buffer): void => {
      out += d.toString();
      let nl: number;
      while ((nl = out.indexOf('\n')) >= 0) {
        const line = out.slice(0, nl);
        out = out.slice(nl + 1);
        const m = /last-message = rendered: (\d+), dropped: \d+, current: ([\d.]+)/.exec(line);
        if (m) {
          frames = Number(m[1]);
          rates.push(Number(m[2]));
          firstFrameAt ??= Date.now();
        }
        decoder ??= DECODER_RE.exec(line)?.[1];
        if (!error && /^(ERROR|WARNING: erroneous pipeline)/.test(line)) {
          error = line.trim();
          errorLinesLeft = 2;
        } else if (errorLinesLeft > 0 && line.trim() && !/caps =|^Additional debug info/.test(line)) {
          error += ` | ${line.trim()}`;
          errorLinesLeft--;
        }
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('error', (err) => {
      error = `cannot run gst-launch-1.0: ${err.message}`;
      finish();
    });
    child.on('exit', finish);
    opts.signal?.addEventListener('abort', finish);
    const deadline = setTimeout(() => {
      timedOut = true;
      finish();
    }, opts.timeoutMs);
    const poll = setInterval(() => {
      if (firstFrameAt !== undefined && Date.now() - firstFrameAt >= opts.measureMs && rates.length >= 3) finish();
    }, 100);
  });
}

/** Splits a gst-launch description into argv, keeping "quoted values" whole (quotes removed as gst-launch's shell would). */
export function splitArgs(s: string): string[] {
  const out: string[] = [];
  let cur = '';
  let q = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === '\\' && q && i + 1 < s.length) cur += s[++i];
    else if (c === '"') q = !q;
    else if (/\s/.test(c) && !q) {
      if (cur) out.push(cur);
      cur = '';
    } else cur += c;
  }
  if (cur) out.push(cur);
  return out;
}
