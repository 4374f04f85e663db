/**
 * Per-process figures from /proc for the benchmarks: CPU ticks, RSS and PSS, and the agent's camera
 * processes (found by their environment markers) or its whole process tree.
 */
import { cameraSideRole, type CameraSideRole } from '../../../agent/ingest/camera-zygote.js';
import { cameraMarks } from '../../../agent/ingest/stale-camera-processes.js';
import { readdirSync, readFileSync } from 'node:fs';

export const CLK_TCK = 100;

export interface ProcSample {
  ticks: number;
  reapedTicks: number;
  ppid: number;
  rssKb: number;
  pssKb: number;
}

/**
 * utime+stime ticks, RSS and PSS (kB) of a process, from /proc. PSS shares the pages of libraries
 * mapped by several processes (GStreamer, libav, node) among them: the fair per-process figure.
 */
export function procSample(pid: number | undefined): ProcSample | undefined {
  if (!pid) return undefined;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]);
    // cutime + cstime: children that ended and were waited for (a looping file camera's earlier runs).
    const reapedTicks = Number(fields[13]) + Number(fields[14]);
    let rssKb = 0;
    let pssKb = 0;
    try {
      // smaps_rollup (Linux 4.14+) gives Rss and Pss from the same walk of the page tables.
      const rollup = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
      rssKb = Number(/^Rss:\s+(\d+)/m.exec(rollup)?.[1] ?? 0);
      pssKb = Number(/^Pss:\s+(\d+)/m.exec(rollup)?.[1] ?? 0);
    } catch {
      rssKb = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
    }
    return { ticks, reapedTicks, ppid: Number(fields[1]), rssKb, pssKb };
  } catch {
    return undefined;
  }
}

function parentOf(pid: string): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return undefined; // the process ended meanwhile
  }
}

function argvOf(pid: number): string[] {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
  } catch {
    return [];
  }
}

/**
 * What a process is on the camera side: a camera (forked by the camera zygote and named
 * `edge-camera <id>`, a gst-launch-1.0 or secret-launch child with the agent's environment marker, or
 * the Node camera process of a build from before those: `... camera-process.{ts,js} <id>`), a
 * zygote's launcher for one camera, or the camera zygote itself.
 */
export function cameraRoleOf(pid: number): CameraSideRole | undefined {
  const argv = argvOf(pid);
  const role = cameraSideRole(argv, cameraMarks(pid)?.cameraId);
  if (role) return role;
  const script = argv.findIndex((a) => /camera-process\.(ts|js)$/.test(a));
  return script >= 0 ? { role: 'camera', cameraId: argv[script + 1] } : undefined;
}

/** The camera id a process runs (not its launcher's, not the zygote's). */
export function cameraIdOf(pid: number): string | undefined {
  const role = cameraRoleOf(pid);
  return role?.role === 'camera' ? role.cameraId : undefined;
}

/** The agent's camera processes by camera id: its children, or the zygote's (the agent's grandchildren). */
export function cameraProcesses(agentPid: number): Map<string, number> {
  const found = new Map<string, number>();
  for (const pid of descendants(agentPid)) {
    const id = cameraIdOf(pid);
    if (id) found.set(id, pid);
  }
  return found;
}

/** Every descendant of rootPid (not rootPid itself). */
export function descendants(rootPid: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const ppid = parentOf(entry);
    if (ppid !== undefined) children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
  }
  const out: number[] = [];
  const stack = [...(children.get(rootPid) ?? [])];
  while (stack.length) {
    const pid = stack.pop() as number;
    out.push(pid);
    stack.push(...(children.get(pid) ?? []));
  }
  return out;
}

export const mb = (kb: number): number => Math.round(kb / 102.4) / 10;
export const round1 = (x: number): number => Math.round(x * 10) / 10;
export const cpuPercent = (ticksBefore: number, ticksAfter: number, seconds: number): number => round1(((ticksAfter - ticksBefore) / CLK_TCK / seconds) * 100);

/**
 * A process's PSS by what is mapped (a library, the node binary, [heap], or anonymous memory), largest
 * first, from /proc/<pid>/smaps: where a process's memory goes, for the memory bench's breakdown.
 */
export function pssByMapping(pid: number, top = 12): Array<{ mapping: string; pssMB: number }> {
  let smaps: string;
  try {
    smaps = readFileSync(`/proc/${pid}/smaps`, 'utf8');
  } catch {
    return [];
  }
  const byName = new Map<string, number>();
  let current = '[anon]';
  for (const line of smaps.split('\n')) {
    const header = /^[0-9a-f]+-[0-9a-f]+\s+\S+\s+\S+\s+\S+\s+\d+\s*(.*)$/.exec(line);
    if (header) {
      current = header[1].trim() || '[anon]';
      continue;
    }
    const pss = /^Pss:\s+(\d+)/.exec(line);
    if (pss) byName.set(current, (byName.get(current) ?? 0) + Number(pss[1]));
  }
  return [...byName.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([mapping, kb]) => ({ mapping: mapping.replace(/^.*\//, ''), pssMB: mb(kb) }));
}
