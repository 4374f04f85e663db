/**
 * One camera's pipeline as a `gst-launch-1.0` child: decoded detect-size I420 frames come back on
 * fd 3 (`gdppay ! fdsink fd=3`), bus messages on stdout (`-m`), errors on stderr.
 *
 * Why a gst-launch child rather than a Node process per camera: the same isolation (a native crash,
 * a hung source or an OOM kill takes down one camera, which is respawned) at a third of the memory:
 * no V8 per camera (issue 12). Why not in-process: every pending appsink.pull()/pollBus() of
 * gstreamer-superficial holds a libuv pool thread, and a crash would end the whole agent.
 *
 * With the camera zygote, the child is a small launcher that hands these pipes to a camera process
 * forked from the zygote and ends as that process ends (camera-zygote.ts): the same output, the same
 * signals, less memory.
 *
 * The child dies with the agent: `setpriv --pdeathsig KILL` (util-linux) asks the kernel for it, and a
 * write to the closed frame pipe would end it anyway. `-e` turns SIGINT into an EOS, so a graceful
 * stop closes the open recording segment properly.
 */
import path from 'node:path';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { spawnChild, type AgentChild } from '../core/child-spawn.js';
import { GdpFormatError, GdpReader } from '../core/gdp.js';
import { parseStdoutLine, StderrReader, type LaunchMessage, type LaunchProblem } from './launch-output.js';
import { dyingWithAgent, GST_LAUNCH, OWN_PROCESS_GROUP } from '../core/gst-launch.js';
import { HELPER_NODE_FLAGS, helperScript } from '../core/helper-script.js';
import { INSTALL_ROOT } from '../core/version.js';
import { launchArgv } from './pipeline-templates.js';
import type { CameraZygote } from './camera-zygote.js';
import type { SecretLaunchRequest } from './secret-launch.js';

/** Environment markers: how the agent (and `ps e`) tells which camera of which data dir a child serves. */
export interface CameraMarkers {
  EDGE_AGENT_CAMERA: string;
  /** Absolute. */
  EDGE_AGENT_DATA_DIR: string;
}

/** The environment markers of a camera child (stale-camera-processes.ts finds children by them). */
export function cameraProcessEnv(cameraId: string, dataDir: string): CameraMarkers {
  return { EDGE_AGENT_CAMERA: cameraId, EDGE_AGENT_DATA_DIR: path.resolve(dataDir) };
}

export interface LaunchHandlers {
  frame(data: Buffer): void;
  message(msg: LaunchMessage): void;
  problem(p: LaunchProblem): void;
  /** The frame stream is not GDP (a broken template or child): the camera must restart. */
  broken(reason: string): void;
}

export interface LaunchedCamera {
  readonly child: AgentChild;
  /** Resolves once the child has exited and all its output has been handled. */
  readonly closed: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const SECRET_LAUNCH = helperScript(__filename, 'secret-launch');

/**
 * Starts the camera's child: forked by the camera zygote (camera-zygote.ts) when there is one, else
 * `gst-launch-1.0`, with the description on its command line. Credentials (element properties) never
 * go on a command line, which every local user can read: the zygote's launcher takes them on stdin;
 * without a zygote such a camera runs secret-launch.ts (a Node child) with everything on stdin.
 */
export function launchCamera(cameraId: string, dataDir: string, description: string, secrets: SecretLaunchRequest['secretProps'], handlers: LaunchHandlers, zygote?: CameraZygote): LaunchedCamera {
  const viaZygote = zygote?.usable === true;
  const { command, args } = viaZygote
    ? zygote.launcher([...(secrets.length > 0 ? ['--secrets-on-stdin'] : []), ...launchArgv(description)])
    : secrets.length > 0
      ? dyingWithAgent(process.execPath, [...SECRET_LAUNCH.execArgv, ...HELPER_NODE_FLAGS, SECRET_LAUNCH.file])
      : dyingWithAgent(GST_LAUNCH, ['-m', '-e', ...launchArgv(description)]);
  const child = spawnChild(command, args, {
    ...OWN_PROCESS_GROUP,
    cwd: INSTALL_ROOT,
    env: { ...process.env, ...cameraProcessEnv(cameraId, dataDir) },
    stdio: [secrets.length > 0 ? 'pipe' : 'ignore', 'pipe', 'pipe', 'pipe'],
  });
  if (child.stdin) {
    child.stdin.on('error', () => undefined); // the child died first: its exit says why
    child.stdin.end(viaZygote ? zygoteSecrets(secrets) : `${JSON.stringify({ pipeline: description, secretProps: secrets } satisfies SecretLaunchRequest)}\n`);
  }
  const streams: Array<Promise<void>> = [];
  const frames = child.stdio[3] as Readable | null;
  if (frames) {
    const reader = new GdpReader();
    let broken = false;
    frames.on('data', (chunk: Buffer) => {
      if (broken) return;
      try {
        for (const packet of reader.push(chunk)) if (packet.kind === 'buffer') handlers.frame(packet.data);
      } catch (err) {
        broken = true;
        handlers.broken(err instanceof GdpFormatError ? err.message : String(err));
      }
    });
    streams.push(ended(frames));
  }
  if (child.stdout) {
    const lines = createInterface({ input: child.stdout, crlfDelay: Infinity });
    lines.on('line', (line) => {
      const msg = parseStdoutLine(line);
      if (msg) handlers.message(msg);
    });
    streams.push(new Promise((resolve) => lines.once('close', resolve)));
  }
  if (child.stderr) {
    const problems = new StderrReader(handlers.problem);
    const lines = createInterface({ input: child.stderr, crlfDelay: Infinity });
    lines.on('line', (line) => problems.line(line));
    streams.push(new Promise((resolve) => lines.once('close', () => {
      problems.flush();
      resolve();
    })));
  }
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
    // Not even started (gst-launch-1.0 missing): 'exit' may never come.
    child.once('error', () => resolve({ code: null, signal: null }));
  });
  const closed = exit.then(async (result) => {
    await Promise.all(streams);
    return result;
  });
  return { child, closed };
}

/** The zygote launcher's stdin: NUL-separated ELEMENT PROPERTY VALUE triples (a NUL cannot be in any of them). */
function zygoteSecrets(secrets: SecretLaunchRequest['secretProps']): Buffer {
  const words = secrets.flatMap(({ element, props }) => Object.entries(props).flatMap(([prop, value]) => [element, prop, value]));
  return Buffer.from(words.map((w) => `${w.replace(/\0/g, '')}\0`).join(''), 'utf8');
}

function ended(stream: Readable): Promise<void> {
  return new Promise((resolve) => {
    stream.once('close', resolve);
    stream.once('error', () => resolve());
  });
}
