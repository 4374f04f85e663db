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
  getSystemDateAndTime(cb: CamCallback): void;
  getServices(includeCapability: boolean, cb: CamCallback): void;
  getCapabilities(cb: CamCallback): void;
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

/**
 * A connected camera. Cam.connect() would also run GetVideoSources and match sources to profiles,
 * and on a camera whose profiles bind no listed source that matching throws inside the package's
 * callback: the error is swallowed and connect never calls back. So we make the calls we need
 * ourselves, in the package's order: GetSystemDateAndTime (unauthenticated; learns the device clock
 * for the WS-Security digest), GetServices (falling back to GetCapabilities on old devices).
 */
export class OnvifCam {
  private constructor(private readonly cam: CamCalls) {}

  static async connect(ep: OnvifEndpoint): Promise<OnvifCam> {
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
    const c = new OnvifCam(cam as unknown as CamCalls);
    await c.call((cb) => c.cam.getSystemDateAndTime(cb));
    try {
      await c.call((cb) => c.cam.getServices(true, cb));
    } catch (err) {
      // An authentication refusal is final; anything else may be a device without GetServices.
      if (/not ?authori[sz]ed|401/i.test(String((err as Error).message))) throw err;
      await c.call((cb) => c.cam.getCapabilities(cb));
    }
    return c;
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
