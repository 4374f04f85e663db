import { runChild } from '../core/child-spawn.js';
import { GST_LAUNCH } from '../core/gst-launch.js';
import { stat } from 'node:fs/promises';
import { CameraErrorCode, type CameraError } from './error-codes.js';
import { classifyLaunchProblem } from './gst-errors.js';
import { StderrReader, type LaunchProblem } from './launch-output.js';
import { launchArgv, quoteGst } from './pipeline-templates.js';
import type { CameraPlan } from './pipeline-plan.js';

const PROBE_TIMEOUT_MS = 15000;
const VIDEO_CAPS = 'video/x-h264;video/x-h265;video/mpeg;video/x-raw';
/** `gst-launch-1.0 -v` prints the caps each pad settles on; ours is the filter named probe. */
const PROBE_CAPS = /GstCapsFilter:probe\.GstPad:src: caps = (video\/[\w.+-]+)/;

export type ProbeResult = { codec: string } | { error: CameraError };

/** A file plan's description with the parser for the file's codec where the template's {{parser}} stands. */
export async function withProbedParser(plan: CameraPlan): Promise<string | CameraError> {
  if (!plan.probeFile) return plan.pipeline;
  const probed = await probeFileCodec(plan.probeFile);
  if ('error' in probed) return probed.error;
  const parser = plan.parsers?.[probed.codec];
  if (!parser) return { code: CameraErrorCode.CODEC_UNSUPPORTED, message: `${probed.codec} in ${plan.probeFile} is not supported by the ${plan.decoder} decoder` };
  return plan.pipeline.replace('{{parser}}', parser);
}

/** Keyed by path, size and mtime: a looping file camera relaunches often and must not re-probe. */
const cache = new Map<string, ProbeResult>();

/**
 * The first video codec a file holds (video/x-h264, ...), found by a short `gst-launch-1.0` run of
 * parsebin up to its first buffer; a file that is not video comes back as a camera error.
 */
export async function probeFileCodec(file: string): Promise<ProbeResult> {
  let key: string;
  try {
    const st = await stat(file);
    key = `${file}\0${st.size}\0${st.mtimeMs}`;
  } catch {
    return { error: { code: CameraErrorCode.SOURCE_NOT_FOUND, message: `video file ${file} does not exist` } };
  }
  const known = cache.get(key);
  if (known) return known;
  const result = await runProbe(file);
  // A timeout may be a busy box rather than the file: only definite answers are kept.
  if ('codec' in result || result.error.code !== CameraErrorCode.STREAM_CORRUPT || !/within/.test(result.error.message)) cache.set(key, result);
  return result;
}

function runProbe(file: string): Promise<ProbeResult> {
  const description = `filesrc location=${quoteGst(file)} ! parsebin ! capsfilter name=probe caps="${VIDEO_CAPS}" ! fakesink num-buffers=1`;
  return runChild(GST_LAUNCH, ['-v', ...launchArgv(description)], { timeoutMs: PROBE_TIMEOUT_MS }).then(({ stdout, stderr, killed }): ProbeResult => {
    const codec = PROBE_CAPS.exec(stdout)?.[1];
    if (codec) return { codec };
    if (killed) return { error: { code: CameraErrorCode.STREAM_CORRUPT, message: `no video stream found within ${PROBE_TIMEOUT_MS / 1000} s` } };
    const problems: LaunchProblem[] = [];
    const reader = new StderrReader((p) => problems.push(p));
    for (const line of stderr.split('\n')) reader.line(line);
    reader.flush();
    const first = problems.find((p) => p.level === 'error');
    if (!first) return { error: { code: CameraErrorCode.STREAM_CORRUPT, message: 'no video stream in the file' } };
    const e = classifyLaunchProblem(first);
    return { error: { code: e.code === CameraErrorCode.PIPELINE_FAILED ? CameraErrorCode.STREAM_CORRUPT : e.code, message: e.message } };
  });
}
