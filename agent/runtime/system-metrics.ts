import si from 'systeminformation';

export interface SystemMetrics {
  cpuLoadPercent: number;
  memUsedMB: number;
  memTotalMB: number;
  diskFreeMB: number | null;
  diskTotalMB: number | null;
  agentRssMB: number;
  loadAvg1: number;
}

const MB = 1024 * 1024;

/** CPU, memory and the disk holding dataDir, from systeminformation; never throws. */
export async function readSystemMetrics(dataDir: string): Promise<SystemMetrics> {
  const [load, mem, disks] = await Promise.all([si.currentLoad().catch(() => null), si.mem().catch(() => null), si.fsSize().catch(() => [])]);
  // The filesystem whose mount point is the longest prefix of dataDir holds it.
  const disk = disks
    .filter((d) => dataDir === d.mount || dataDir.startsWith(d.mount.endsWith('/') ? d.mount : `${d.mount}/`))
    .sort((a, b) => b.mount.length - a.mount.length)[0];
  return {
    cpuLoadPercent: round1(load?.currentLoad ?? 0),
    loadAvg1: round1(load?.avgLoad ?? 0),
    memUsedMB: Math.round((mem ? mem.active : 0) / MB),
    memTotalMB: Math.round((mem ? mem.total : 0) / MB),
    diskFreeMB: disk ? Math.round(disk.available / MB) : null,
    diskTotalMB: disk ? Math.round(disk.size / MB) : null,
    agentRssMB: Math.round(process.memoryUsage().rss / MB),
  };
}

function round1(v: number): number {
  return Math.round(v * 10) / 10;
}
