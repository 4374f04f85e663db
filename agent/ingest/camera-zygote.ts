/**
 * The camera zygote (agent/ingest/native/camera-zygote.c): one GStreamer process that has loaded the
 * camera plugins once and forks every camera from itself, so the cameras share the ~8 MB of library
 * relocations each `gst-launch-1.0` would write for itself (issue 12, docs/ingest.md). A camera is
 * still a process of its own; the agent spawns a small launcher per camera that hands its pipes to
 * the zygote and ends the way the camera ends, so the supervisor treats it as it treats gst-launch.
 *
 * Started with the first camera and stopped after the last; a zygote that dies takes its cameras
 * with it (their supervisors restart them, which starts a new zygote). One that cannot start at all
 * (a box without the built helper, or one that fails before listening) leaves the cameras on plain
 * gst-launch-1.0.
 */
import { existsSync, lstatSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { spawnChild, type AgentChild } from '../core/child-spawn.js';
import { dyingWithAgent, OWN_PROCESS_GROUP } from '../core/gst-launch.js';
import type { Logger } from '../core/logger.js';
import { INSTALL_ROOT } from '../core/version.js';
import { CameraErrorCode } from './error-codes.js';

/** Built by scripts/setup.sh (and the image's build stage) from agent/ingest/native/camera-zygote.c. */
export const ZYGOTE_BINARY = path.join(INSTALL_ROOT, 'dist/bin/edge-camera-zygote');

/**
 * The plugins the camera templates use, loaded before the first fork (the rest load per camera). Not
 * video4linux2: its start-up opens a GLib main context, which a fork cannot share (the zygote refuses
 * to run with one open).
 */
const PRELOADED_PLUGINS = ['coreelements', 'playback', 'typefindfunctions', 'libav', 'videoparsersbad', 'videorate', 'videoconvertscale', 'gdp', 'multifile', 'mpegtsmux', 'rtsp', 'rtp', 'rtpmanager', 'udp', 'tcp', 'isomp4', 'matroska', 'avi', 'videotestsrc'];

/** Whether the agent's cameras will be forked by a zygote: the helper is built and not switched off. */
export function zygoteInstalled(binary = ZYGOTE_BINARY): boolean {
  return process.env.EDGE_CAMERA_ZYGOTE !== '0' && existsSync(binary);
}

/** Where the zygotes' socket folders are made (`edge-zygote-XXXXXX`, 0700, with the agent's pid in `agent.pid`). */
const SOCKET_DIR_PREFIX = 'edge-zygote-';

/**
 * Socket folders left by agents that were killed before they could remove them: removed when a new
 * zygote starts. Only our uid's, and only those whose agent is gone (another agent's stays).
 */
export function removeStaleSocketDirs(tmp = os.tmpdir()): void {
  for (const name of readdirSync(tmp)) {
    if (!name.startsWith(SOCKET_DIR_PREFIX)) continue;
    const dir = path.join(tmp, name);
    try {
      if (lstatSync(dir).uid !== process.getuid?.()) continue;
      const agent = Number(readFileSync(path.join(dir, 'agent.pid'), 'utf8'));
      if (agent === process.pid || processExists(agent)) continue;
      rmSync(dir, { recursive: true, force: true });
    } catch {
      // another user's, one without an agent.pid, or gone meanwhile
    }
  }
}

function running(child: AgentChild | undefined): boolean {
  return child !== undefined && child.exitCode === null && child.signalCode === null;
}

function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The zygote's environment marker: a camera-side process of this data dir that serves no one camera. */
export const ZYGOTE_CAMERA_MARK = '';
/** What a camera forked by the zygote calls itself (`ps`: `edge-camera <id>`; camera-zygote.c writes it). */
export const FORKED_CAMERA_NAME = 'edge-camera';

export type CameraSideRole = { role: 'camera' | 'launcher'; cameraId: string } | { role: 'zygote' };

/**
 * What a process carrying a data dir's markers is, from its argv and its `EDGE_AGENT_CAMERA` mark: a
 * camera forked by the zygote, a zygote's launcher, the zygote itself, or (marked with its camera)
 * a gst-launch-1.0 / secret-launch camera.
 */
export function cameraSideRole(argv: readonly string[], cameraMark: string | undefined): CameraSideRole | undefined {
  if (argv[0] === FORKED_CAMERA_NAME && argv[1] !== undefined) return { role: 'camera', cameraId: argv[1] };
  const binary = argv.findIndex((a) => a.endsWith(path.basename(ZYGOTE_BINARY)));
  if (binary >= 0 && argv[binary + 1] === 'serve') return { role: 'zygote' };
  if (!cameraMark) return undefined;
  return { role: binary >= 0 && argv[binary + 1] === 'launch' ? 'launcher' : 'camera', cameraId: cameraMark };
}

export class CameraZygote {
  private child?: AgentChild;
  private dir?: string;
  /** The zygote failed before it listened: cameras run as plain gst-launch from then on. */
  private broken = false;

  constructor(
    private readonly dataDir: string,
    private readonly log: Logger,
    private readonly binary = ZYGOTE_BINARY,
    private readonly plugins: readonly string[] = PRELOADED_PLUGINS,
  ) {}

  /** The running zygote's pid (tests, diagnostics). */
  get pid(): number | undefined {
    return running(this.child) ? this.child?.pid : undefined;
  }

  /** Whether launches go through the zygote (the helper is built and not switched off). */
  get usable(): boolean {
    return !this.broken && zygoteInstalled(this.binary);
  }

  /**
   * The launcher command for one camera: `edge-camera-zygote launch SOCKET DESCRIPTION-ARGV...`, the
   * zygote started first if it is not running. The launcher waits for the socket, so a zygote still
   * starting is fine.
   */
  launcher(argv: readonly string[]): { command: string; args: string[] } {
    const { socket, pid } = this.ensureRunning();
    return dyingWithAgent(this.binary, ['launch', socket, String(pid), ...argv]);
  }

  /** Ends the zygote (its cameras, if any are left, end with it) and removes its socket folder. */
  async stop(): Promise<void> {
    const child = this.child;
    this.child = undefined; // its exit is ours, not news
    if (child && running(child)) {
      const gone = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await gone;
    }
    if (this.dir) rmSync(this.dir, { recursive: true, force: true });
    this.dir = undefined;
  }

  private ensureRunning(): { socket: string; pid: number } {
    if (!this.dir) {
      removeStaleSocketDirs();
      this.dir = mkdtempSync(path.join(os.tmpdir(), SOCKET_DIR_PREFIX)); // 0700: only our uid reaches the socket
      writeFileSync(path.join(this.dir, 'agent.pid'), String(process.pid));
    }
    const socket = path.join(this.dir, 'cameras.sock');
    if (this.pid) return { socket, pid: this.pid };
    const { command, args } = dyingWithAgent(this.binary, ['serve', socket, ...this.plugins]);
    const child = spawnChild(command, args, {
      ...OWN_PROCESS_GROUP,
      cwd: INSTALL_ROOT,
      // The data dir's marker: a zygote (and the cameras forked from it) left by a killed run is found and ended like any camera process.
      env: { ...process.env, EDGE_AGENT_CAMERA: ZYGOTE_CAMERA_MARK, EDGE_AGENT_DATA_DIR: path.resolve(this.dataDir) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    let ready = false;
    let stderr = '';
    child.stdout?.once('data', () => (ready = true));
    child.stdout?.resume();
    createInterface({ input: child.stderr as NonNullable<typeof child.stderr> }).on('line', (line) => {
      stderr = `${stderr}${line}\n`.slice(-2000);
      this.log.debug({ zygote: line }, 'camera zygote');
    });
    child.once('error', (err) => {
      this.broken = true;
      this.log.warn({ code: CameraErrorCode.ZYGOTE_FAILED, error: err.message }, 'camera zygote cannot start: cameras run as plain gst-launch-1.0');
    });
    child.once('exit', (code, signal) => {
      if (this.child !== child) return; // stopped by us
      this.child = undefined;
      // At once, so the next launch already runs gst-launch-1.0; logged once its stderr is all read.
      const failedEarly = !ready && !this.broken;
      if (failedEarly) this.broken = true;
      child.once('close', () => {
        if (failedEarly) this.log.warn({ code: CameraErrorCode.ZYGOTE_FAILED, exit: signal ?? code, stderr: stderr.trim() }, 'camera zygote failed before it listened: cameras run as plain gst-launch-1.0');
        else if (ready) this.log.warn({ code: CameraErrorCode.ZYGOTE_FAILED, exit: signal ?? code }, 'camera zygote ended: its cameras restart with a new one');
      });
    });
    return { socket, pid: child.pid ?? 0 };
  }
}
