/**
 * Asks an RTSP server OPTIONS and DESCRIBE over one TCP connection (what a player does first), with
 * Basic or Digest authentication when challenged. Tells "camera off the network" from "wrong
 * password" from "no such stream" before any GStreamer is involved.
 */
import { createHash } from 'node:crypto';
import net from 'node:net';

export interface RtspResponse {
  status: number;
  reason: string;
  headers: Record<string, string>;
  body: string;
}

export interface RtspProbeResult {
  connectMs: number;
  options: RtspResponse;
  describe: RtspResponse;
  /** Encodings from the SDP (a=rtpmap), e.g. H264/90000. */
  codecs: string[];
}

function md5(s: string): string {
  return createHash('md5').update(s).digest('hex');
}

/** Authorization header answering a WWW-Authenticate challenge. */
export function authorization(challenge: string, method: string, uri: string, user: string, password: string): string {
  if (/^Basic/i.test(challenge)) return `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
  const param = (k: string): string | undefined => new RegExp(`${k}="?([^",]*)"?`, 'i').exec(challenge)?.[1];
  const realm = param('realm') ?? '';
  const nonce = param('nonce') ?? '';
  const response = md5(`${md5(`${user}:${realm}:${password}`)}:${nonce}:${md5(`${method}:${uri}`)}`);
  return `Digest username="${user}", realm="${realm}", nonce="${nonce}", uri="${uri}", response="${response}"`;
}

/** One RTSP connection that sends requests in turn and parses responses (headers + Content-Length body). */
class RtspConnection {
  private buf = Buffer.alloc(0);
  private waiter?: { resolve: (r: RtspResponse) => void; reject: (e: Error) => void };
  private cseq = 0;
  private closedErr?: Error;

  constructor(private readonly sock: net.Socket) {
    sock.on('data', (d: Buffer) => {
      this.buf = Buffer.concat([this.buf, d]);
      this.tryParse();
    });
    const onEnd = (err?: Error): void => {
      this.closedErr = err ?? new Error('the server closed the connection');
      this.waiter?.reject(this.closedErr);
      this.waiter = undefined;
    };
    sock.on('error', onEnd);
    sock.on('close', () => onEnd());
  }

  private tryParse(): void {
    if (!this.waiter) return;
    const headEnd = this.buf.indexOf('\r\n\r\n');
    if (headEnd < 0) return;
    const head = this.buf.subarray(0, headEnd).toString('latin1').split('\r\n');
    const m = /^RTSP\/1\.\d (\d{3}) ?(.*)$/.exec(head[0]);
    if (!m) {
      this.waiter.reject(new Error(`not an RTSP answer: ${JSON.stringify(head[0].slice(0, 60))}`));
      this.waiter = undefined;
      return;
    }
    const headers: Record<string, string> = {};
    for (const line of head.slice(1)) {
      const i = line.indexOf(':');
      if (i > 0) headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
    }
    const len = Number(headers['content-length'] ?? 0);
    if (this.buf.length < headEnd + 4 + len) return;
    const body = this.buf.subarray(headEnd + 4, headEnd + 4 + len).toString('utf8');
    this.buf = this.buf.subarray(headEnd + 4 + len);
    const w = this.waiter;
    this.waiter = undefined;
    w.resolve({ status: Number(m[1]), reason: m[2], headers, body });
  }

  request(method: string, url: string, extra: Record<string, string> = {}): Promise<RtspResponse> {
    if (this.closedErr) return Promise.reject(this.closedErr);
    const lines = [`${method} ${url} RTSP/1.0`, `CSeq: ${++this.cseq}`, 'User-Agent: edge-agent-diag', ...Object.entries(extra).map(([k, v]) => `${k}: ${v}`)];
    return new Promise((resolve, reject) => {
      this.waiter = { resolve, reject };
      this.sock.write(lines.join('\r\n') + '\r\n\r\n');
    });
  }
}

export async function probeRtsp(url: string, creds: { username?: string; password?: string }, timeoutMs: number): Promise<RtspProbeResult> {
  const u = new URL(url);
  const port = u.port ? Number(u.port) : 554;
  const host = u.hostname.replace(/^\[|\]$/g, '');
  const user = creds.username ?? (u.username ? decodeURIComponent(u.username) : undefined);
  const password = creds.password ?? (u.password ? decodeURIComponent(u.password) : undefined);
  u.username = '';
  u.password = '';
  const bare = u.toString();
  const t0 = performance.now();
  const sock = net.connect({ host, port });
  const timer = setTimeout(() => sock.destroy(Object.assign(new Error(`no answer within ${timeoutMs} ms`), { code: 'ETIMEDOUT' })), timeoutMs);
  try {
    await new Promise<void>((resolve, reject) => {
      sock.once('connect', resolve);
      sock.once('error', reject);
    });
    const connectMs = performance.now() - t0;
    const conn = new RtspConnection(sock);
    const options = await conn.request('OPTIONS', bare);
    let describe = await conn.request('DESCRIBE', bare, { Accept: 'application/sdp' });
    const challenge = describe.headers['www-authenticate'];
    if (describe.status === 401 && challenge && user !== undefined) {
      describe = await conn.request('DESCRIBE', bare, { Accept: 'application/sdp', Authorization: authorization(challenge, 'DESCRIBE', bare, user, password ?? '') });
    }
    const codecs = [...describe.body.matchAll(/a=rtpmap:\d+ ([^\r\n]+)/g)].map((m) => m[1].trim());
    return { connectMs, options, describe, codecs };
  } finally {
    clearTimeout(timer);
    sock.destroy();
  }
}
