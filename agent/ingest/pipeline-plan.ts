import path from 'node:path';
import type { AgentConfig, CameraConfig } from '../config/schema/index.js';
import { resolveSecret } from '../config/secrets.js';
import { chooseDecoder, DECODER_ELEMENT, hasElement } from './decoder-probe.js';
import { CameraErrorCode } from './error-codes.js';
import { AgentError } from '../core/errors.js';
import { loadTemplate, quoteGst, renderTemplate } from './pipeline-templates.js';
import { partialSegmentPattern } from './segment-files.js';

/** Everything a camera process needs to run one pipeline. Secrets travel separately from the text. */
export interface CameraPlan {
  cameraId: string;
  /** gst-launch description; safe to log (no credentials). */
  pipeline: string;
  /** Properties set on named elements after the pipeline is built (credentials), never logged. */
  secretProps: Array<{ element: string; props: Record<string, string> }>;
  /** software | v4l2 | nvv4l2 for encoded sources, raw for test/v4l2 devices. */
  decoder: string;
  width: number;
  height: number;
  /** File sources: the process probes the file's codec and puts its parser where {{parser}} stands. */
  probeFile?: string;
  /** Parsers the decoder accepts, by codec caps name. */
  parsers?: Record<string, string>;
  /** File sources: loop seamlessly with segment seeks; without it the camera ends at EOS. */
  loop: boolean;
  live: boolean;
  /** Folder the segment writer fills; undefined when recording is off. */
  recordDir?: string;
}

export interface PlanInputs {
  camera: CameraConfig;
  dataDir: string;
  recording: AgentConfig['recording'];
  /** rtsp:// URL for ONVIF sources (resolved by the caller). */
  onvifUrl?: string;
  /** Threads for the software H.264 decoder (0 = as many as cores). */
  decoderThreads?: number;
  /** Where decoded frames go: a pipe to the agent (default), or an appsink for an in-process reader (diag). */
  frameSink?: keyof typeof FRAME_SINKS;
}

/** The frames' last element: GDP on fd 3 for camera-launch.ts, an appsink named frames for gstreamer-superficial. */
export const FRAME_SINKS = {
  pipe: 'gdppay ! fdsink name=frames fd=3 sync=false',
  appsink: 'appsink name=frames max-buffers=2 drop=true sync=false enable-last-sample=false',
} as const;

/** fps as a GStreamer fraction: 5 → 5/1, 2.5 → 5/2. */
export function fpsFraction(fps: number): string {
  const den = Number.isInteger(fps) ? 1 : 1000;
  let num = Math.round(fps * den);
  let d = den;
  const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));
  const g = gcd(num, d);
  num /= g;
  d /= g;
  return `${num}/${d}`;
}

export function recordingDir(dataDir: string, cameraId: string): string {
  return path.join(dataDir, 'recordings', cameraId);
}

/**
 * Credentials written into the URL are moved to properties so the logged pipeline holds none. The
 * user info runs to the LAST `@` and the user name to the first `:`, so a password written in by
 * hand may hold `/`, `@` and `:` (percent-encoded ones are decoded).
 */
export function splitUrlCredentials(raw: string): { url: string; username?: string; password?: string } {
  const m = /^(rtsps?:\/\/)(.*)@([^@]*)$/.exec(raw);
  if (!m) return { url: raw };
  const colon = m[2].indexOf(':');
  const decode = (v: string): string => {
    try {
      return decodeURIComponent(v);
    } catch {
      return v; // a bare '%' in a hand-written password
    }
  };
  return { url: m[1] + m[3], username: decode(colon < 0 ? m[2] : m[2].slice(0, colon)), password: colon < 0 ? undefined : decode(m[2].slice(colon + 1)) };
}

/** Codecs a file may hold, with the parser that makes them recordable in MPEG-TS. */
const PARSERS: Record<string, string> = {
  'video/x-h264': 'h264parse config-interval=-1',
  'video/x-h265': 'h265parse config-interval=-1',
  'video/mpeg': 'mpeg4videoparse config-interval=-1',
};

const TRANSPORT: Record<'tcp' | 'udp' | 'auto', string> = { tcp: 'tcp', udp: 'udp', auto: 'udp+tcp' };

export async function buildPlan(input: PlanInputs): Promise<CameraPlan> {
  const { camera, recording } = input;
  const src = camera.source;
  const { width, height } = camera.detect;
  const fps = fpsFraction(camera.detect.fps);
  const recordOn = camera.record.enabled;
  const recordDir = recordOn ? recordingDir(input.dataDir, camera.id) : undefined;
  const segmentPattern = recordDir ? quoteGst(path.join(recordDir, partialSegmentPattern(Date.now()))) : '';
  const segmentNs = recording.segmentSeconds * 1_000_000_000;
  const frames = renderTemplate(loadTemplate('fragments/frames'), { fps, width, height, sink: FRAME_SINKS[input.frameSink ?? 'pipe'] });
  const common = { frames, width, height, fps };
  const secretProps: CameraPlan['secretProps'] = [];

  if (src.kind === 'test' || src.kind === 'v4l2') {
    const gop = Math.max(1, Math.round(camera.detect.fps * 2));
    const recordRaw = recordDir ? renderTemplate(loadTemplate('fragments/record-raw'), { segmentPattern, segmentNs, gop }) : '';
    const pipeline =
      src.kind === 'test'
        ? renderTemplate(loadTemplate('test.raw'), { ...common, pattern: quoteGst(src.pattern), recordRaw })
        : renderTemplate(loadTemplate('v4l2.raw'), { ...common, device: quoteGst(src.device), recordRaw });
    return { cameraId: camera.id, pipeline, secretProps, decoder: 'raw', width, height, loop: false, live: true, recordDir };
  }

  const decoder = await chooseDecoder(camera.decoder);
  if (decoder !== 'software' && !(await hasElement(DECODER_ELEMENT[decoder]))) {
    throw new AgentError(CameraErrorCode.ELEMENT_MISSING, `decoder ${decoder} needs the GStreamer element ${DECODER_ELEMENT[decoder]}, which this box lacks`, 'set decoder to auto or software, or install the platform GStreamer plugins');
  }
  const record = recordDir ? renderTemplate(loadTemplate('fragments/record'), { segmentPattern, segmentNs }) : '';
  const decodeQueue = loadTemplate('fragments/decode-queue').trim();
  const decoderThreads = input.decoderThreads ?? 0;

  if (src.kind === 'file') {
    const pipeline = renderTemplate(loadTemplate(`file.${decoder}`), { ...common, path: quoteGst(src.path), realtime: src.realtime, decodeQueue, record, decoderThreads, parser: '{{parser}}' });
    const parsers = decoder === 'v4l2' ? { 'video/x-h264': PARSERS['video/x-h264'] } : decoder === 'nvv4l2' ? { 'video/x-h264': PARSERS['video/x-h264'], 'video/x-h265': PARSERS['video/x-h265'] } : PARSERS;
    return { cameraId: camera.id, pipeline, secretProps, decoder, width, height, probeFile: src.path, parsers, loop: src.loop, live: false, recordDir };
  }

  let url: string;
  let username: string | undefined;
  let password: string | undefined;
  let protocols = TRANSPORT.tcp;
  if (src.kind === 'rtsp') {
    ({ url, username, password } = splitUrlCredentials(src.url));
    protocols = TRANSPORT[src.transport];
    username = src.username ?? username;
    password = resolveSecret(src.password) ?? password;
  } else {
    if (!input.onvifUrl) throw new AgentError(CameraErrorCode.ONVIF_RESOLVE_FAILED, 'ONVIF stream URL was not resolved');
    url = input.onvifUrl;
    username = src.username;
    password = resolveSecret(src.password);
  }
  const tcpTimeoutUs = Math.round(camera.stallTimeoutSeconds * 1_000_000);
  const pipeline = renderTemplate(loadTemplate(`rtsp.${decoder}`), { ...common, url: quoteGst(url), protocols, tcpTimeoutUs, decodeQueue, record, decoderThreads });
  const props: Record<string, string> = {};
  if (username) props['user-id'] = username;
  if (password) props['user-pw'] = password;
  if (Object.keys(props).length) secretProps.push({ element: 'src', props });
  return { cameraId: camera.id, pipeline, secretProps, decoder, width, height, loop: false, live: true, recordDir };
}
