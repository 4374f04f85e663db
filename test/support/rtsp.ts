import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { endChild } from './end-child.js';
import { canConnect, freePort } from './ports.js';
import { REPO_ROOT } from './tmp.js';
import { waitFor } from './wait.js';

export interface RtspTestServerOptions {
  /** Video file served looped (H.264 as is, unless `transcode`). Omit for an encoded test pattern. */
  file?: string;
  /** Decode the file and encode H.264 at width/height/fps (costs CPU: prefer pre-encoded files). */
  transcode?: boolean;
  width?: number;
  height?: number;
  fps?: number;
  mount?: string;
  port?: number;
  /** Require RTSP basic auth. */
  user?: string;
  password?: string;
}

/** Beside this file in the source tree; from dist/ (tsc does not copy .py) one level further up. */
const SCRIPT = [path.join(REPO_ROOT, 'test/support/rtsp-server.py'), path.join(REPO_ROOT, '../test/support/rtsp-server.py')].find((f) => existsSync(f)) ?? path.join(REPO_ROOT, 'test/support/rtsp-server.py');

/**
 * A real RTSP camera on 127.0.0.1 (test/support/rtsp-server.py, GstRtspServer under /usr/bin/python3):
 * start, stop (SIGTERM), kill (SIGKILL) and restart on the same port, so tests can take a camera away
 * and bring it back.
 */
export class RtspTestServer {
  port = 0;
  log = '';
  private proc?: ChildProcess;

  constructor(private readonly opts: RtspTestServerOptions = {}) {}

  get mount(): string {
    return this.opts.mount ?? '/cam';
  }

  get url(): string {
    return `rtsp://127.0.0.1:${this.port}${this.mount}`;
  }

  get pid(): number | undefined {
    return this.proc?.pid;
  }

  async start(): Promise<this> {
    if (!this.port) this.port = this.opts.port ?? (await freePort());
    const o = this.opts;
    const args = [SCRIPT, '--port', String(this.port), '--mount', this.mount];
    if (o.file) args.push('--file', o.file);
    else args.push('--test');
    if (o.transcode) args.push('--transcode');
    if (o.width) args.push('--width', String(o.width));
    if (o.height) args.push('--height', String(o.height));
    if (o.fps) args.push('--fps', String(o.fps));
    if (o.user) args.push('--user', o.user, '--password', o.password ?? '');
    const proc = spawn('/usr/bin/python3', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    proc.stdout?.on('data', (d: Buffer) => (this.log += d.toString()));
    proc.stderr?.on('data', (d: Buffer) => (this.log += d.toString()));
    this.proc = proc;
    await waitFor(async () => {
      if (proc.exitCode !== null) throw new Error(`rtsp-server.py exited with ${proc.exitCode}: ${this.log}`);
      return this.log.includes('ready') && (await canConnect(this.port));
    }, {
      timeoutMs: 30000,
      what: `RTSP test server on port ${this.port}: ${this.log}`,
    });
    return this;
  }

  private end(signal: NodeJS.Signals): Promise<void> {
    const proc = this.proc;
    this.proc = undefined;
    return endChild(proc, signal);
  }

  stop(): Promise<void> {
    return this.end('SIGTERM');
  }

  kill(): Promise<void> {
    return this.end('SIGKILL');
  }

  /** Stops and starts again on the same port and mount. */
  async restart(): Promise<void> {
    await this.stop();
    await this.start();
  }
}
