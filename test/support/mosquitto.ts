import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { endChild } from './end-child.js';
import { canConnect, freePort } from './ports.js';
import { tempDir } from './tmp.js';
import { waitFor } from './wait.js';

export interface MosquittoOptions {
  /** Keep retained messages and persistent sessions across restarts (persistence true). */
  persistence?: boolean;
  /** Extra lines for mosquitto.conf (TLS listeners, ACLs, ...). Use `{dir}` for the broker's temp folder. */
  extraConfig?: string[];
  /** Replace the default plain listener (e.g. a TLS-only broker). */
  listenerConfig?: string[];
  port?: number;
}

/**
 * A real Mosquitto broker on a free 127.0.0.1 port, for tests: start, stop (SIGTERM), kill (SIGKILL)
 * and restart on the same port with the same persistence file.
 */
export class MosquittoBroker {
  port = 0;
  readonly dir: string;
  private proc?: ChildProcess;
  private readonly cleanupDir: () => void;
  log = '';

  constructor(private readonly opts: MosquittoOptions = {}) {
    const t = tempDir('mosquitto-');
    // Started as root, mosquitto drops to the `mosquitto` user: it must still write its persistence file here.
    chmodSync(t.dir, 0o777);
    this.dir = t.dir;
    this.cleanupDir = t.cleanup;
  }

  get url(): string {
    return `mqtt://127.0.0.1:${this.port}`;
  }

  async start(): Promise<this> {
    if (!this.port) this.port = this.opts.port ?? (await freePort());
    const lines = [
      'per_listener_settings false',
      ...(this.opts.listenerConfig ?? [`listener ${this.port} 127.0.0.1`, 'allow_anonymous true']),
      `persistence ${this.opts.persistence ? 'true' : 'false'}`,
      `persistence_location ${this.dir}/`,
      'autosave_interval 1',
      'max_queued_messages 0',
      'max_inflight_messages 0',
      'log_dest stderr',
      'log_type error',
      'log_type warning',
      ...(this.opts.extraConfig ?? []),
    ].map((l) => l.replaceAll('{dir}', this.dir).replaceAll('{port}', String(this.port)));
    const conf = path.join(this.dir, 'mosquitto.conf');
    writeFileSync(conf, lines.join('\n') + '\n');
    const proc = spawn('/usr/sbin/mosquitto', ['-c', conf], { stdio: ['ignore', 'ignore', 'pipe'] });
    proc.stderr?.on('data', (d: Buffer) => (this.log += d.toString()));
    this.proc = proc;
    await waitFor(async () => proc.exitCode === null && (await canConnect(this.port)), { timeoutMs: 20000, what: `mosquitto on port ${this.port}: ${this.log}` });
    return this;
  }

  private async end(signal: NodeJS.Signals): Promise<void> {
    await endChild(this.proc, signal);
    this.proc = undefined;
  }

  stop(): Promise<void> {
    return this.end('SIGTERM');
  }

  kill(): Promise<void> {
    return this.end('SIGKILL');
  }

  async restart(): Promise<void> {
    await this.stop();
    await this.start();
  }

  async dispose(): Promise<void> {
    await this.kill();
    this.cleanupDir();
  }
}
