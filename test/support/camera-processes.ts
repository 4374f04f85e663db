import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * PIDs of the live (not zombie) camera processes whose argv names `dataDir`, read straight from
 * /proc: what a technician would see with `ps`, independent of the agent's own reaping code.
 */
export function cameraProcessesOf(dataDir: string): number[] {
  const marker = `--data-dir=${path.resolve(dataDir)}`;
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const argv = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
      if (!argv.some((a) => /camera-process\.(ts|js)$/.test(a)) || !argv.includes(marker)) continue;
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z')) continue;
      pids.push(Number(entry));
    } catch {
      // ended meanwhile
    }
  }
  return pids;
}
