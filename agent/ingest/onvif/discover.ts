/**
 * `discoverOnvif`: which ONVIF cameras answer a WS-Discovery probe, and (given credentials) the
 * RTSP stream each would be ingested from. Used by `edge-agent discover`.
 */
import { toErrorInfo } from '../../core/errors.js';
import { resolveOnvifStream } from './resolve.js';
import { probe, type ProbeMatch } from './ws-discovery.js';

export interface DiscoverOptions {
  /** Unicast probe targets (`host[:port]`); empty means the standard multicast probe. */
  targets?: string[];
  timeoutMs: number;
  username?: string;
  password?: string;
  /** Per-camera resolution deadline. */
  resolveTimeoutMs?: number;
}

export interface DiscoveredCamera {
  endpoint: string;
  host: string;
  port: number;
  /** Device service URL (first XAddr). */
  xaddr: string;
  name?: string;
  hardware?: string;
  scopes: string[];
  /** Only when credentials were given and resolution worked. */
  streamUri?: string;
  profile?: string;
  profiles?: string[];
  error?: { code: string; message: string; remedy?: string };
}

/** `onvif://www.onvif.org/name/Front%20Gate` → `Front Gate` */
function scopeValue(scopes: string[], key: string): string | undefined {
  const prefix = `onvif://www.onvif.org/${key}/`;
  const hit = scopes.find((s) => s.startsWith(prefix));
  if (!hit) return undefined;
  try {
    return decodeURIComponent(hit.slice(prefix.length));
  } catch {
    return hit.slice(prefix.length);
  }
}

/** Prefers the XAddr on the address the answer came from (a device may list several interfaces). */
function pickXaddr(m: ProbeMatch): URL | undefined {
  const urls = m.xaddrs.flatMap((x) => {
    try {
      return [new URL(x)];
    } catch {
      return [];
    }
  });
  return urls.find((u) => u.hostname === m.from.address) ?? urls[0];
}

async function describe(m: ProbeMatch, opts: DiscoverOptions): Promise<DiscoveredCamera | undefined> {
  const url = pickXaddr(m);
  if (!url) return undefined;
  const port = url.port ? Number(url.port) : url.protocol === 'https:' ? 443 : 80;
  const cam: DiscoveredCamera = {
    endpoint: m.endpoint,
    host: url.hostname,
    port,
    xaddr: url.toString(),
    name: scopeValue(m.scopes, 'name'),
    hardware: scopeValue(m.scopes, 'hardware'),
    scopes: m.scopes,
  };
  if (opts.username === undefined) return cam;
  try {
    const r = await resolveOnvifStream(
      { kind: 'onvif', host: url.hostname, port, username: opts.username, password: opts.password },
      { path: url.pathname, timeoutMs: opts.resolveTimeoutMs },
    );
    cam.streamUri = r.uri;
    cam.profile = r.profile.token;
    cam.profiles = r.profiles.map((p) => p.token);
  } catch (err) {
    cam.error = toErrorInfo(err, 'ONVIF');
  }
  return cam;
}

export async function discoverOnvif(opts: DiscoverOptions): Promise<DiscoveredCamera[]> {
  const matches = await probe({ targets: opts.targets, timeoutMs: opts.timeoutMs });
  const cams = await Promise.all(matches.map((m) => describe(m, opts)));
  return cams.filter((c): c is DiscoveredCamera => c !== undefined).sort((a, b) => a.host.localeCompare(b.host) || a.port - b.port);
}
