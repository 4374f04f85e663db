import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * PIDs of the live (not zombie) camera processes of `dataDir`, read straight from /proc by the
 * environment markers the agent gives them (EDGE_AGENT_DATA_DIR): what a technician would see with
 * `ps e`, independent of the agent's own reaping code.
 */
export function cameraProcessesOf(dataDir: string): number[] {
  const marker = `EDGE_AGENT_DATA_DIR=${path.resolve(dataDir)}`;
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const env = readFileSync(`/proc/${entry}/environ`, 'utf8').split('\0');
      if (!env.includes(marker) || !env.some((e) => e.startsWith('EDGE_AGENT_CAMERA='))) continue;
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z')) continue;
      pids.push(Number(entry));
    } catch {
      // ended meanwhile
    }
  }
  return pids;
}
