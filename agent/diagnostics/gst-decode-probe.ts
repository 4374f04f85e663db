/**
 * A short, real decode of a camera with the agent's own pipeline (pipelines/ via the ingest plan),
 * in a process of its own with a deadline: frames decode or they do not, at what rate, with which
 * decoder. Recording is left out, so diag never writes segments beside the running agent's. The
 * camera credentials go to that process over IPC and are set as element properties there: never on
 * a command line (gst-launch-1.0 could only take them inline, visible in `ps`).
 */
import { fork } from 'node:child_process';
import { helperScript } from '../core/helper-script.js';
import type { AgentConfig, CameraConfig } from '../config/schema/index.js';
import { buildPlan } from '../ingest/pipeline-plan.js';
import type { FromDecodeProbe, ToDecodeProbe } from './decode-probe-ipc.js';

export interface DecodeProbeResult {
  frames: number;
  /** Steady-state fps (median of the per-interval rates after the first interval). */
  fps: number | null;
  /** Decoder element seen in the running pipeline (avdec_h264, v4l2h264dec, ...), or the plan's kind. */
  decoder: string;
  planDecoder: string;
  /** First GStreamer error, when it failed. */
  error?: string;
  timedOut: boolean;
}

export interface DecodeProbe extends ToDecodeProbe {
  decoder: string;
}

const PROBE = helperScript(__filename, 'decode-probe-process');

/** The ingest plan for this camera without recording; its credentials stay apart as element properties. */
export async function probePipeline(camera: CameraConfig, config: AgentConfig, onvifUrl?: string): Promise<DecodeProbe> {
  const noRecord: CameraConfig = { ...camera, record: { enabled: false } };
  const plan = await buildPlan({ camera: noRecord, dataDir: config.gateway.dataDir, recording: config.recording, onvifUrl, decoderThreads: 1, frameSink: 'appsink' });
  // File plans leave the parser to the camera process (it probes the codec, for the recording branch);
  // with recording off the decode branch needs none.
  const pipeline = plan.pipeline.replaceAll('{{parser}}', 'identity');
  if (!/appsink name=frames[^!]*$/.test(pipeline)) throw new Error('the camera pipeline has no "appsink name=frames" at its end to measure');
  return { pipeline, secretProps: plan.secretProps, decoder: plan.decoder };
}

export function runDecodeProbe(probe: DecodeProbe, opts: { measureMs: number; timeoutMs: number; signal?: AbortSignal; env?: NodeJS.ProcessEnv }): Promise<DecodeProbeResult> {
  const planDecoder = probe.decoder;
  return new Promise((resolve) => {
    const child = fork(PROBE.file, [], {
      execArgv: PROBE.execArgv,
      env: { ...(opts.env ?? process.env), UV_THREADPOOL_SIZE: '4' },
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    });
    let stderr = '';
    let frames = 0;
    const rates: number[] = [];
    let last: { frames: number; at: number } | undefined;
    let decoder: string | undefined;
    let error: string | undefined;
    let firstFrameAt: number | undefined;
    let timedOut = false;
    let finished = false;
    const finish = (): void => {
      if (finished) return;
      finished = true;
      clearTimeout(deadline);
      opts.signal?.removeEventListener('abort', finish);
      if (child.exitCode === null) child.kill('SIGKILL');
      if (!error && !frames && stderr.trim()) error = stderr.trim().split('\n').slice(-2).join(' | ');
      const steady = rates.length > 1 ? rates.slice(1) : rates;
      const sorted = [...steady].sort((a, b) => a - b);
      resolve({ frames, fps: sorted.length ? sorted[Math.floor(sorted.length / 2)] : null, decoder: decoder ?? planDecoder, planDecoder, error, timedOut });
    };
    child.stderr?.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
    child.on('message', (m: FromDecodeProbe) => {
      if (m.type === 'error') {
        error ??= m.message;
        finish();
      } else if (m.type === 'eos') finish();
      else {
        const now = Date.now();
        decoder ??= m.decoder;
        if (last && last.frames > 0) rates.push(((m.frames - last.frames) * 1000) / (now - last.at));
        last = { frames: m.frames, at: now };
        frames = m.frames;
        if (frames > 0) firstFrameAt ??= now;
        if (firstFrameAt !== undefined && now - firstFrameAt >= opts.measureMs && rates.length >= 3) finish();
      }
    });
    child.on('error', (err) => {
      error = `cannot start the decode probe: ${err.message}`;
      finish();
    });
    child.on('exit', finish);
    opts.signal?.addEventListener('abort', finish);
    const deadline = setTimeout(() => {
      timedOut = true;
      finish();
    }, opts.timeoutMs);
    const request: ToDecodeProbe = { pipeline: probe.pipeline, secretProps: probe.secretProps };
    child.send(request);
  });
}
