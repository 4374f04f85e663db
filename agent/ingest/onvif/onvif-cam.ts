/**
 * A narrow, promise-based, typed view of the `onvif` package's Cam: only the calls the agent makes.
 * The package ships loose typings (`any` payloads); everything crossing this boundary is `unknown`
 * and narrowed here, so the rest of the agent sees plain typed values.
 */
import { Cam } from 'onvif';

/** The callback shape every Cam method uses. */
type CamCallback = (err: Error | null, data?: unknown, xml?: string) => void;

/** The subset of Cam we call, with payloads as `unknown`. */
interface CamCalls {
  connect(cb: CamCallback): void;
  getProfiles(cb: CamCallback): void;
  getStreamUri(options: { protocol: 'RTSP'; stream: 'RTP-Unicast'; profileToken: string }, cb: CamCallback): void;
  getDeviceInformation(cb: CamCallback): void;
}

export interface OnvifEndpoint {
  hostname: string;
  port: number;
  /** Device service path; `/onvif/device_service` unless discovery said otherwise. */
  path?: string;
  username?: string;
  password?: string;
  timeoutMs: number;
}

export interface OnvifProfile {
  token: string;
  name: string;
  encoding?: string;
  width?: number;
  height?: number;
  fps?: number;
}

export interface OnvifDeviceInfo {
  manufacturer?: string;
  model?: string;
  firmwareVersion?: string;
  serialNumber?: string;
}

function record(v: unknown): Record<string, unknown> | undefined {
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}
function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : typeof v === 'number' ? String(v) : undefined;
}
function num(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

/** One profile as the package returns it (linerased SOAP: `$` holds the attributes). */
export function toProfile(raw: unknown): OnvifProfile | undefined {
  const p = record(raw);
  const token = str(record(p?.$)?.token);
  if (!p || !token) return undefined;
  const enc = record(p.videoEncoderConfiguration);
  const res = record(enc?.resolution);
  return {
    token,
    name: str(p.name) ?? token,
    encoding: str(enc?.encoding),
    width: num(res?.width),
    height: num(res?.height),
    fps: num(record(enc?.rateControl)?.frameRateLimit),
  };
}

/** A connected camera: GetSystemDateAndTime, GetServices (or GetCapabilities), GetProfiles, GetVideoSources done. */
export class OnvifCam {
  private constructor(private readonly cam: CamCalls) {}

  static connect(ep: OnvifEndpoint): Promise<OnvifCam> {
    // autoconnect off: connect() is called below with our own callback, so its error reaches us.
    const cam = new Cam({
      hostname: ep.hostname,
      port: ep.port,
      path: ep.path,
      username: ep.username,
      password: ep.password,
      timeout: ep.timeoutMs,
      autoconnect: false,
      // Service URLs a camera advertises often carry its LAN-internal address; use the one we reached.
      preserveAddress: true,
    });
    const calls = cam as unknown as CamCalls;
    return new Promise((resolve, reject) => {
      calls.connect((err) => (err ? reject(err) : resolve(new OnvifCam(calls))));
    });
  }

  private call(fn: (cb: CamCallback) => void): Promise<unknown> {
    return new Promise((resolve, reject) => fn((err, data) => (err ? reject(err) : resolve(data))));
  }

  async profiles(): Promise<OnvifProfile[]> {
    const data = await this.call((cb) => this.cam.getProfiles(cb));
    const list = Array.isArray(data) ? data : data === undefined ? [] : [data];
    return list.map(toProfile).filter((p): p is OnvifProfile => p !== undefined);
  }

  async streamUri(profileToken: string): Promise<string | undefined> {
    const data = await this.call((cb) => this.cam.getStreamUri({ protocol: 'RTSP', stream: 'RTP-Unicast', profileToken }, cb));
    return str(record(data)?.uri);
  }

  async deviceInformation(): Promise<OnvifDeviceInfo> {
    const d = record(await this.call((cb) => this.cam.getDeviceInformation(cb)));
    return { manufacturer: str(d?.manufacturer), model: str(d?.model), firmwareVersion: str(d?.firmwareVersion), serialNumber: str(d?.serialNumber) };
  }
}
