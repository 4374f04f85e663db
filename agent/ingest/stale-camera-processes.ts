/**
 * Camera processes a previous run of this agent left behind (killed mid-stop before camera
 * processes died with their parent, issue 15 item 5): found by their environment markers in /proc
 * (camera-launch.ts sets them) and killed at start. Only those of this agent's data dir, so another
 * agent on the box keeps its cameras.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Logger } from '../core/logger.js';
import type { CameraMarkers } from './camera-launch.js';

/** The agent's own entry point (dist/agent/cli/main.js or agent/cli/main.ts from source). */
const AGENT_SCRIPT = /[\\/]agent[\\/]cli[\\/]main\.(ts|js)$/;
const GONE_TIMEOUT_MS = 5000;

export interface CameraProcessInfo {
  pid: number;
  ppid: number;
  cameraId: string;
}

/** Every camera process of `dataDir` on the box (this agent's, another live agent's, or stale ones). */
export function findCameraProcesses(dataDir: string): CameraProcessInfo[] {
  const wanted = path.resolve(dataDir);
  const found: CameraProcessInfo[] = [];
  if (!existsSync('/proc')) return found;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    const marks = cameraMarks(pid);
    const stat = marks?.dataDir === wanted ? readStat(pid) : undefined;
    if (marks && stat && stat.state !== 'Z') found.push({ pid, ppid: stat.ppid, cameraId: marks.cameraId });
  }
  return found;
}

/** Whether pid runs the agent's entry point. */
export function isAgentProcess(pid: number): boolean {
  return readArgv(pid)?.some((a) => AGENT_SCRIPT.test(a)) ?? false;
}

/**
 * Camera processes of `dataDir` that are not children of this process or of another live agent, nor
 * forked by the camera zygote of one (a grandchild: agent → zygote → camera).
 */
export function findStaleCameraProcesses(dataDir: string): CameraProcessInfo[] {
  const ownedByAnAgent = (parent: number): boolean => parent === process.pid || isAgentProcess(parent);
  return findCameraProcesses(dataDir).filter(({ pid, ppid }) => {
    if (pid === process.pid || ownedByAnAgent(ppid)) return false; // a live agent's own camera: not ours to end
    const grandparent = readStat(ppid)?.ppid;
    return grandparent === undefined || !ownedByAnAgent(grandparent) || cameraMarks(ppid)?.dataDir !== path.resolve(dataDir);
  });
}

/** Kills the stale camera processes of `dataDir` (SIGKILL: they may hang in exit) and waits until they are gone. */
export async function reapStaleCameraProcesses(dataDir: string, log: Logger): Promise<number> {
  const stale = findStaleCameraProcesses(dataDir);
  for (const { pid, ppid, cameraId } of stale) {
    try {
      process.kill(pid, 'SIGKILL');
      log.warn({ pid, ppid, camera: cameraId }, 'killed a camera process an earlier run of this agent left behind');
    } catch {
      // ended meanwhile
    }
  }
  const deadline = Date.now() + GONE_TIMEOUT_MS;
  while (stale.some(({ pid }) => isRunning(pid)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  return stale.length;
}

/** The camera and data dir a process serves, from its environment (readable by its own user and root). */
export function cameraMarks(pid: number): { cameraId: string; dataDir: string } | undefined {
  let env: string[];
  try {
    env = readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0');
  } catch {
    return undefined; // ended meanwhile, or another user's
  }
  const vars: Partial<CameraMarkers> = Object.fromEntries(env.map((e) => [e.slice(0, e.indexOf('=')), e.slice(e.indexOf('=') + 1)]));
  const { EDGE_AGENT_CAMERA: cameraId, EDGE_AGENT_DATA_DIR: dataDir } = vars;
  return cameraId !== undefined && dataDir !== undefined ? { cameraId, dataDir } : undefined;
}

function readArgv(pid: number): string[] | undefined {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
  } catch {
    return undefined; // ended meanwhile
  }
}

/** State and parent from /proc/PID/stat (the command name in parentheses may hold spaces). */
function readStat(pid: number): { state: string; ppid: number } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const [state, ppid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { state, ppid: Number(ppid) };
  } catch {
    return undefined;
  }
}

/** Gone or a zombie (a zombie holds no memory; its parent reaps it). */
function isRunning(pid: number): boolean {
  const stat = readStat(pid);
  return stat !== undefined && stat.state !== 'Z';
}
