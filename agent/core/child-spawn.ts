/**
 * Starts the agent's child processes (cameras, clip cuts, the snapshot encoder) without forking the
 * agent: posix_spawn through agent/core/native/vfork-spawn.c when it is built, node:child_process
 * otherwise (the same behaviour, at a fork's cost).
 *
 * Why: libuv forks the whole agent for every child. With four to eight cameras and the model loaded
 * that is 0.7–1.5 GB of page tables copied while the event loop waits (22 ms at 1 GB measured here,
 * against 0.5 ms through posix_spawn) and a copy-on-write fault for every page the inference worker
 * writes after it: eight cameras cutting a clip per event skipped 10 % of their frames (issue 14).
 */
import { spawn as forkSpawn } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { closeSync, existsSync } from 'node:fs';
import { Socket } from 'node:net';
import { constants } from 'node:os';
import path from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { INSTALL_ROOT } from './version.js';

/** Built by scripts/build-native.sh (setup, the image, install.sh on the box). */
export const VFORK_SPAWN_ADDON = path.join(INSTALL_ROOT, 'dist/lib/vfork-spawn.node');

/** What a child's fd is: a pipe (a socket pair, as libuv makes), /dev/null, or the agent's own. */
export type StdioKind = 'pipe' | 'ignore' | 'inherit';

export interface ChildSpawnOptions {
  /** Index i is the child's fd i (0 stdin, 1 stdout, 2 stderr, 3 and up extra pipes). */
  stdio: readonly StdioKind[];
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** A process group of its own (gst-launch.ts OWN_PROCESS_GROUP). */
  detached?: boolean;
}

/**
 * The part of node:child_process's ChildProcess the agent uses. Events as there: 'exit' (code,
 * signal), then 'close' (code, signal) once its pipes are read to the end; 'error' when it could not
 * start (then no 'exit').
 */
export interface AgentChild extends EventEmitter {
  readonly pid?: number;
  readonly stdin: Writable | null;
  readonly stdout: Readable | null;
  readonly stderr: Readable | null;
  /** stdin, stdout, stderr and the extra pipes, by fd. */
  readonly stdio: ReadonlyArray<Readable | Writable | null>;
  readonly exitCode: number | null;
  readonly signalCode: NodeJS.Signals | null;
  kill(signal?: NodeJS.Signals): boolean;
  /** Whether the child (not its pipes: ref or unref those too) keeps the event loop alive. */
  ref(): void;
  unref(): void;
}

/** A child started with stdin, stdout and stderr all piped. */
export interface PipedChild extends AgentChild {
  readonly stdin: Writable;
  readonly stdout: Readable;
  readonly stderr: Readable;
}

interface VforkAddon {
  socketPair(): [number, number];
  spawn(file: string, argv: string[], env: string[], fds: number[], cwd: string, newGroup: boolean): number;
  watch(pid: number, onExit: (code: number | null, signal: number | null) => void): void;
}

let addon: VforkAddon | null | undefined;

/** The posix_spawn addon, or null where it is not built or switched off (EDGE_VFORK_SPAWN=0). */
function vforkAddon(): VforkAddon | null {
  if (addon !== undefined) return addon;
  addon = null;
  if (process.env.EDGE_VFORK_SPAWN !== '0' && existsSync(VFORK_SPAWN_ADDON)) {
    try {
      addon = require(VFORK_SPAWN_ADDON) as VforkAddon;
    } catch {
      // built for another architecture or Node ABI: the fork path still works
    }
  }
  return addon;
}

/** How children start: posix_spawn (the addon is built) or a fork (node:child_process). */
export type SpawnMethod = 'posix_spawn' | 'fork';

/** How this agent starts its children (diag shows it). */
export function spawnMethod(): SpawnMethod {
  return vforkAddon() ? 'posix_spawn' : 'fork';
}

/** Starts `command` (looked up on PATH) as a child of the agent; `method` for tests of either way. */
export function spawnChild(command: string, args: readonly string[], o: ChildSpawnOptions, method = spawnMethod()): AgentChild {
  const native = vforkAddon();
  if (method === 'fork' || !native) {
    return forkSpawn(command, args, { stdio: [...o.stdio], cwd: o.cwd, env: o.env, detached: o.detached }) as AgentChild;
  }
  return new SpawnedChild(native, command, args, o);
}

/** spawnChild with stdin, stdout and stderr piped (always made, even when the command cannot start). */
export function spawnPiped(command: string, args: readonly string[], o: Omit<ChildSpawnOptions, 'stdio'> = {}, method = spawnMethod()): PipedChild {
  const child = spawnChild(command, args, { ...o, stdio: ['pipe', 'pipe', 'pipe'] }, method);
  if (!child.stdin || !child.stdout || !child.stderr) throw new Error(`${command}: its stdio pipes were not made`);
  return child as PipedChild;
}

const SIGNAL_NAMES = new Map<number, NodeJS.Signals>(Object.entries(constants.signals).map(([name, n]) => [n, name as NodeJS.Signals]));

class SpawnedChild extends EventEmitter implements AgentChild {
  readonly pid?: number;
  readonly stdio: Array<Readable | Writable | null> = [];
  exitCode: number | null = null;
  signalCode: NodeJS.Signals | null = null;
  private exited = false;
  private openStreams = 0;
  /** Holds the event loop while the child runs, as a ChildProcess does (the addon's wait does not). */
  private readonly keepAlive?: NodeJS.Timeout;

  get stdin(): Writable | null {
    return (this.stdio[0] as Writable | null | undefined) ?? null;
  }

  get stdout(): Readable | null {
    return (this.stdio[1] as Readable | null | undefined) ?? null;
  }

  get stderr(): Readable | null {
    return (this.stdio[2] as Readable | null | undefined) ?? null;
  }

  constructor(native: VforkAddon, command: string, args: readonly string[], o: ChildSpawnOptions) {
    super();
    const ours: Array<number | null> = [];
    const theirs: number[] = [];
    for (const [fd, kind] of o.stdio.entries()) {
      if (kind === 'pipe') {
        const [mine, child] = native.socketPair();
        ours.push(mine);
        theirs.push(child);
      } else {
        ours.push(null);
        theirs.push(kind === 'inherit' ? fd : -1);
      }
    }
    const env = Object.entries(o.env ?? process.env).filter((e): e is [string, string] => e[1] !== undefined).map(([k, v]) => `${k}=${v}`);
    let failure: unknown;
    try {
      this.pid = native.spawn(command, [command, ...args], env, theirs, o.cwd ?? '', o.detached === true);
    } catch (err) {
      failure = err;
    }
    for (const [fd, kind] of o.stdio.entries()) if (kind === 'pipe') closeSync(theirs[fd]);
    for (const [fd, mine] of ours.entries()) {
      if (mine === null) {
        this.stdio.push(null);
        continue;
      }
      const stream = new Socket({ fd: mine, readable: fd !== 0, writable: fd === 0 });
      this.openStreams++;
      stream.once('close', () => {
        this.openStreams--;
        this.closeIfDone();
      });
      this.stdio.push(stream);
    }
    if (this.pid === undefined) {
      // As child_process: the streams exist (stdin's writes go nowhere, the others end at once), the
      // failure is an 'error' event on a later tick, and there is no 'exit'.
      (this.stdio[0] as Socket | null | undefined)?.destroy();
      process.nextTick(() => this.emit('error', failure));
      return;
    }
    this.keepAlive = setInterval(() => undefined, 2 ** 30);
    native.watch(this.pid, (code, signal) => {
      clearInterval(this.keepAlive);
      this.exited = true;
      this.exitCode = code;
      this.signalCode = signal === null ? null : SIGNAL_NAMES.get(signal) ?? null;
      // The child is gone: nobody reads what is still written to its stdin.
      (this.stdio[0] as Socket | null | undefined)?.destroy();
      this.emit('exit', this.exitCode, this.signalCode);
      this.closeIfDone();
    });
  }

  kill(signal: NodeJS.Signals = 'SIGTERM'): boolean {
    if (this.pid === undefined || this.exited) return false;
    try {
      process.kill(this.pid, signal);
      return true;
    } catch {
      return false;
    }
  }

  ref(): void {
    this.keepAlive?.ref();
  }

  unref(): void {
    this.keepAlive?.unref();
  }

  private closeIfDone(): void {
    if (this.exited && this.openStreams === 0) {
      this.openStreams = -1; // once
      this.emit('close', this.exitCode, this.signalCode);
    }
  }
}

export interface RunResult {
  /** Exit code; null when it could not start, was killed, or died of a signal. */
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** The program is not installed (ENOENT). */
  missing: boolean;
  /** Killed at the deadline (or by the abort signal). */
  killed: boolean;
}

/**
 * Runs a program to its end and collects its output (each stream up to `maxBytes`, the rest dropped),
 * as execFile does but started by spawnChild: a diagnostics run (the status page starts one) or a probe
 * does not fork the agent.
 */
export function runChild(command: string, args: readonly string[], o: { timeoutMs: number; env?: NodeJS.ProcessEnv; signal?: AbortSignal; maxBytes?: number }): Promise<RunResult> {
  const maxBytes = o.maxBytes ?? 4 * 1024 * 1024;
  return new Promise((resolve) => {
    const child = spawnChild(command, args, { stdio: ['ignore', 'pipe', 'pipe'], env: o.env });
    const out = { stdout: '', stderr: '' };
    for (const name of ['stdout', 'stderr'] as const) {
      child[name]?.setEncoding('utf8').on('data', (s: string) => {
        if (out[name].length < maxBytes) out[name] += s.slice(0, maxBytes - out[name].length);
      });
    }
    let killed = false;
    const kill = (): void => {
      killed = child.kill('SIGTERM') || killed;
    };
    const timer = setTimeout(kill, o.timeoutMs);
    if (o.signal?.aborted) kill();
    else o.signal?.addEventListener('abort', kill, { once: true });
    const done = (r: Omit<RunResult, 'stdout' | 'stderr' | 'killed'>): void => {
      clearTimeout(timer);
      o.signal?.removeEventListener('abort', kill);
      resolve({ ...r, ...out, killed });
    };
    child.once('error', (err: NodeJS.ErrnoException) => done({ code: null, signal: null, missing: err.code === 'ENOENT' }));
    child.once('close', (code: number | null, signal: NodeJS.Signals | null) => done({ code, signal, missing: false }));
  });
}
