/**
 * Resolves an `onvif` camera source to the RTSP URI of its stream: connect (which also learns the
 * device clock for the WS-Security digest), GetProfiles, pick the configured profile or the first,
 * GetStreamUri. The ingest helper calls this before building an RTSP pipeline.
 */
import { resolveSecret } from '../../config/secrets.js';
import type { CameraSource } from '../../config/schema/index.js';
import { AgentError } from '../../core/errors.js';
import { classifyOnvifError } from './errors.js';
import { OnvifCam, type OnvifEndpoint, type OnvifProfile } from './onvif-cam.js';

export type OnvifSource = Extract<CameraSource, { kind: 'onvif' }>;

export interface ResolvedOnvifStream {
  uri: string;
  profile: OnvifProfile;
  profiles: OnvifProfile[];
}

export interface ResolveOptions {
  /** Whole resolution deadline (connect + profiles + stream URI). */
  timeoutMs?: number;
  /** Device service path when discovery found a non-default one. */
  path?: string;
}

const DEFAULT_TIMEOUT_MS = 10000;

/** Cameras sometimes advertise a stream on 0.0.0.0/localhost or their LAN-internal address; point it at the host we reached. */
export function fixStreamHost(uri: string, host: string): string {
  try {
    const u = new URL(uri);
    if (['0.0.0.0', 'localhost', '[::]'].includes(u.hostname) && host !== u.hostname) u.hostname = host;
    return u.toString();
  } catch {
    return uri;
  }
}

function withDeadline<T>(work: Promise<T>, ms: number, where: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new AgentError('ONVIF_UNREACHABLE', `ONVIF device ${where} did not answer within ${ms} ms`, 'check the camera is on the network and the ONVIF port is right')),
      ms,
    );
  });
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
}

export async function resolveOnvifStream(source: OnvifSource, opts: ResolveOptions = {}): Promise<ResolvedOnvifStream> {
  const where = `${source.host}:${source.port}`;
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const endpoint: OnvifEndpoint = {
    hostname: source.host,
    port: source.port,
    path: opts.path,
    username: source.username,
    password: resolveSecret(source.password),
    timeoutMs,
  };
  const work = (async (): Promise<ResolvedOnvifStream> => {
    let cam: OnvifCam;
    let profiles: OnvifProfile[];
    try {
      cam = await OnvifCam.connect(endpoint);
      profiles = await cam.profiles();
    } catch (err) {
      throw classifyOnvifError(err, where);
    }
    const profile = source.profile ? profiles.find((p) => p.token === source.profile || p.name === source.profile) : profiles[0];
    if (!profile) {
      const have = profiles.map((p) => p.token).join(', ') || 'none';
      throw new AgentError(
        'ONVIF_NO_PROFILE',
        source.profile ? `ONVIF device ${where} has no profile "${source.profile}" (has: ${have})` : `ONVIF device ${where} has no media profile`,
        source.profile ? `set source.profile to one of: ${have}, or remove it to use the first` : 'create a media profile in the camera\'s web UI',
      );
    }
    let uri: string | undefined;
    try {
      uri = await cam.streamUri(profile.token);
    } catch (err) {
      throw classifyOnvifError(err, where);
    }
    if (!uri || !/^rtsps?:\/\//.test(uri)) {
      throw new AgentError('ONVIF_NO_STREAM_URI', `ONVIF device ${where} gave no RTSP stream URI for profile ${profile.token} (got ${uri ?? 'nothing'})`, 'enable RTSP streaming on the camera, or configure it as an rtsp camera with its URL');
    }
    return { uri: fixStreamHost(uri, source.host), profile, profiles };
  })();
  return withDeadline(work, timeoutMs, where);
}

/** The RTSP URI of the configured (or first) profile; throws ONVIF_* AgentErrors. */
export async function resolveOnvifStreamUri(source: OnvifSource, opts: ResolveOptions = {}): Promise<string> {
  return (await resolveOnvifStream(source, opts)).uri;
}
