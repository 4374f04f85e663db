import { readFile, statfs } from 'node:fs/promises';
import os from 'node:os';
import { performance, type EventLoopUtilization } from 'node:perf_hooks';

export interface SystemMetrics {
  cpuLoadPercent: number;
  memUsedMB: number;
  memTotalMB: number;
  diskFreeMB: number | null;
  diskTotalMB: number | null;
  agentRssMB: number;
  loadAvg1: number;
  /** Share of the time the agent's main thread (motion, tracking, camera IPC, MQTT, clips) was busy since the previous report. */
  agentMainThreadBusyPercent: number;
}

const MB = 1024 * 1024;

/**
 * CPU, memory and the disk holding dataDir, read from the kernel without starting a process; never
 * throws. Not systeminformation here: its currentLoad and fsSize run shells (`cat /proc/stat`,
 * `cat /proc/mounts`, `df`), and every child the agent starts forks the agent's whole ~550 MB
 * address space, which stalls the inference worker's running session for 70–150 ms (measured:
 * a child every 250 ms took inference p90 from 17–29 ms to ~100 ms). At each health report that
 * made the detector fall behind and skip frames.
 */
export async function readSystemMetrics(dataDir: string): Promise<SystemMetrics> {
  const [mem, disk] = await Promise.all([readMemory(), readDisk(dataDir)]);
  return {
    cpuLoadPercent: round1(cpuLoadSinceLastCall()),
    loadAvg1: round1(os.loadavg()[0]),
    memUsedMB: Math.round(mem.usedBytes / MB),
    memTotalMB: Math.round(mem.totalBytes / MB),
    diskFreeMB: disk ? Math.round(disk.freeBytes / MB) : null,
    diskTotalMB: disk ? Math.round(disk.totalBytes / MB) : null,
    agentRssMB: Math.round(process.memoryUsage().rss / MB),
    agentMainThreadBusyPercent: round1(100 * mainThreadBusySinceLastCall()),
  };
}

let lastLoop: EventLoopUtilization | undefined;

/** Event-loop utilisation since the previous report (the first one: since start), 0..1. */
function mainThreadBusySinceLastCall(): number {
  const now = performance.eventLoopUtilization();
  const since = lastLoop ? performance.eventLoopUtilization(now, lastLoop) : now;
  lastLoop = now;
  return since.utilization;
}

interface CpuTicks {
  busy: number;
  total: number;
}

let lastTicks: CpuTicks | undefined;

function cpuTicks(): CpuTicks {
  let busy = 0;
  let total = 0;
  for (const { times } of os.cpus()) {
    const all = times.user + times.nice + times.sys + times.idle + times.irq;
    total += all;
    busy += all - times.idle;
  }
  return { busy, total };
}

/** Busy share of all cores since the previous report (the first one: since boot). */
function cpuLoadSinceLastCall(): number {
  const now = cpuTicks();
  const prev = lastTicks ?? { busy: 0, total: 0 };
  lastTicks = now;
  const total = now.total - prev.total;
  return total > 0 ? (100 * (now.busy - prev.busy)) / total : 0;
}

/** Used = total − MemAvailable (what the kernel could give without swapping; page cache is not "used"). */
async function readMemory(): Promise<{ usedBytes: number; totalBytes: number }> {
  const totalBytes = os.totalmem();
  try {
    const available = /^MemAvailable:\s+(\d+) kB/m.exec(await readFile('/proc/meminfo', 'utf8'))?.[1];
    if (available) return { usedBytes: totalBytes - Number(available) * 1024, totalBytes };
  } catch {
    // not Linux: the portable figure below
  }
  return { usedBytes: totalBytes - os.freemem(), totalBytes };
}

/** The filesystem that holds dataDir, as an unprivileged writer sees it (blocks available to it). */
async function readDisk(dataDir: string): Promise<{ freeBytes: number; totalBytes: number } | null> {
  try {
    const s = await statfs(dataDir);
    return { freeBytes: s.bavail * s.bsize, totalBytes: s.blocks * s.bsize };
  } catch {
    return null;
  }
}

function round1(v: number): number {
  return Math.round(v * 10) / 10;
}
