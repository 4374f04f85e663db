import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { cameraSideRole } from '../../agent/ingest/camera-zygote.js';

/** A process carrying a data dir's camera markers, read straight from /proc. */
interface Marked {
  pid: number;
  camera: string;
  argv: string[];
}

function markedProcesses(dataDir: string): Marked[] {
  const marker = `EDGE_AGENT_DATA_DIR=${path.resolve(dataDir)}`;
  const found: Marked[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const env = readFileSync(`/proc/${entry}/environ`, 'utf8').split('\0');
      const camera = env.find((e) => e.startsWith('EDGE_AGENT_CAMERA='));
      if (!env.includes(marker) || camera === undefined) continue;
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z')) continue;
      const argv = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
      found.push({ pid: Number(entry), camera: camera.slice('EDGE_AGENT_CAMERA='.length), argv });
    } catch {
      // ended meanwhile
    }
  }
  return found;
}


/**
 * PIDs of the live (not zombie) processes that run the cameras of `dataDir`, one per camera: a
 * camera forked by the camera zygote, or a gst-launch-1.0 / secret-launch child. Read straight from
 * /proc by the environment markers (EDGE_AGENT_DATA_DIR) and names the agent gives them: what a
 * technician would see with `ps e`, independent of the agent's own reaping code.
 */
export function cameraProcessesOf(dataDir: string): number[] {
  return markedProcesses(dataDir).filter((p) => cameraSideRole(p.argv, p.camera)?.role === 'camera').map((p) => p.pid);
}

/** Every process on the camera side of `dataDir`: the cameras, their launchers and the camera zygote. */
export function cameraSideProcessesOf(dataDir: string): number[] {
  return markedProcesses(dataDir).map((p) => p.pid);
}
