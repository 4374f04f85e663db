/**
 * The box itself: CPU load, memory, disk under gateway.dataDir, CPU temperature and throttling where
 * the board reports them, uptime. Nothing is invented: a value the board does not expose is a skip
 * with the reason.
 */
import { existsSync, readdirSync, readFileSync, statfsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import si from 'systeminformation';
import type { AgentConfig } from '../../config/schema/index.js';
import { spawnMethod, type SpawnMethod } from '../../core/child-spawn.js';
import { fail, pass, skip, warn, type CheckGroup, type Outcome } from '../check-runner.js';
import { run } from '../exec.js';
import { memoryBudget, memoryBudgetOutcome } from './memory-budget.js';

const GiB = 1024 ** 3;
const MiB = 1024 ** 2;
const SENSOR_TIMEOUT_MS = 6000;

function fmtBytes(b: number): string {
  return b >= GiB ? `${(b / GiB).toFixed(1)} GiB` : `${(b / MiB).toFixed(0)} MiB`;
}

export function cpuLoadOutcome(load1: number, cores: number): Outcome {
  const perCore = load1 / cores;
  const detail = `1-min load ${load1.toFixed(2)} on ${cores} core(s)`;
  const remedy = 'the box is saturated: lower detect fps or resolution, disable a camera, or look for a runaway process with `top`';
  // Load is a symptom, not a broken function: it warns; the camera fps and detector checks say what it costs.
  if (perCore >= 1) return warn(Number(perCore.toFixed(2)), detail, remedy, 'load/core');
  return pass(Number(perCore.toFixed(2)), detail, 'load/core');
}

/** MemAvailable (what can be allocated without swapping), not MemFree. */
function memAvailable(): { available: number; total: number } {
  try {
    const m = /MemAvailable:\s+(\d+) kB/.exec(readFileSync('/proc/meminfo', 'utf8'));
    if (m) return { available: Number(m[1]) * 1024, total: os.totalmem() };
  } catch { /* not Linux */ }
  return { available: os.freemem(), total: os.totalmem() };
}

export function memoryOutcome(available: number, total: number): Outcome {
  const pct = (available / total) * 100;
  const detail = `${fmtBytes(available)} available of ${fmtBytes(total)}`;
  const remedy = 'memory is short: reduce cameras or detect resolution, check for leaks with `edge-agent diag` over time, or use a board with more RAM';
  if (pct < 5) return fail(Number(pct.toFixed(1)), detail, remedy, '%');
  if (pct < 15) return warn(Number(pct.toFixed(1)), detail, remedy, '%');
  return pass(Number(pct.toFixed(1)), detail, '%');
}

/** The nearest existing folder at or above p (dataDir may not exist before the first run). */
function existingAncestor(p: string): string {
  let dir = path.resolve(p);
  while (!existsSync(dir) && path.dirname(dir) !== dir) dir = path.dirname(dir);
  return dir;
}

export function diskFree(dir: string): { free: number; total: number; measuredAt: string } {
  const at = existingAncestor(dir);
  const s = statfsSync(at);
  return { free: s.bavail * s.bsize, total: s.blocks * s.bsize, measuredAt: at };
}

export function diskOutcome(dataDir: string): Outcome {
  const { free, total, measuredAt } = diskFree(dataDir);
  const pct = (free / total) * 100;
  const where = measuredAt === path.resolve(dataDir) ? dataDir : `${measuredAt} (${dataDir} does not exist yet)`;
  const detail = `${fmtBytes(free)} free of ${fmtBytes(total)} on ${where}`;
  const remedy = `free space on the filesystem holding ${dataDir} (old recordings, logs with \`journalctl --vacuum-size\`), or lower recording.retentionHours/maxBytes`;
  if (free < 256 * MiB || pct < 3) return fail(Number(pct.toFixed(1)), detail, remedy, '%');
  if (free < GiB || pct < 10) return warn(Number(pct.toFixed(1)), detail, remedy, '%');
  return pass(Number(pct.toFixed(1)), detail, '%');
}

export function temperatureOutcome(celsius: number, source: string): Outcome {
  const detail = `${celsius.toFixed(1)} °C (${source})`;
  const remedy = 'the CPU runs hot and will throttle: check the heatsink/fan and the enclosure\'s ventilation and sun shield';
  if (celsius >= 85) return fail(Number(celsius.toFixed(1)), detail, remedy, '°C');
  if (celsius >= 75) return warn(Number(celsius.toFixed(1)), detail, remedy, '°C');
  return pass(Number(celsius.toFixed(1)), detail, '°C');
}

/** vcgencmd (Pi firmware), then the kernel's thermal zones, then systeminformation (other sensors). */
async function readTemperature(): Promise<{ celsius: number; source: string } | undefined> {
  const vc = await run('vcgencmd', ['measure_temp'], { timeoutMs: 3000 });
  const m = /temp=([\d.]+)/.exec(vc.stdout);
  if (vc.ok && m) return { celsius: Number(m[1]), source: 'vcgencmd measure_temp' };
  try {
    const zones = readdirSync('/sys/class/thermal').filter((z) => z.startsWith('thermal_zone'));
    const temps = zones.flatMap((z) => {
      try {
        const v = Number(readFileSync(`/sys/class/thermal/${z}/temp`, 'utf8')) / 1000;
        return Number.isFinite(v) && v > -40 && v < 150 ? [v] : [];
      } catch {
        return [];
      }
    });
    if (temps.length) return { celsius: Math.max(...temps), source: `hottest of ${temps.length} /sys/class/thermal zone(s)` };
  } catch { /* no thermal class */ }
  // systeminformation also tries `sensors` and other tools: bounded, so a slow probe is not a hang.
  const t = await Promise.race([si.cpuTemperature(), new Promise<undefined>((r) => setTimeout(() => r(undefined), SENSOR_TIMEOUT_MS).unref())]);
  if (t && typeof t.main === 'number' && Number.isFinite(t.main) && t.main > 0) return { celsius: t.main, source: 'systeminformation (hwmon)' };
  return undefined;
}

/** Decodes `vcgencmd get_throttled` (bits 0-3: now; 16-19: since boot). */
export function throttledOutcome(hex: string): Outcome {
  const v = parseInt(hex, 16);
  const names: Array<[number, string]> = [[0, 'under-voltage'], [1, 'ARM frequency capped'], [2, 'throttled'], [3, 'soft temperature limit']];
  const now = names.filter(([b]) => v & (1 << b)).map(([, n]) => n);
  const past = names.filter(([b]) => v & (1 << (b + 16))).map(([, n]) => n);
  const remedy = 'use the official power supply (5.1 V, 3 A for a Pi 4 / 5 A for a Pi 5) and a short thick cable, and improve cooling';
  if (now.length) return fail(hex, `now: ${now.join(', ')}${past.length ? `; since boot: ${past.join(', ')}` : ''}`, remedy);
  if (past.length) return warn(hex, `since boot: ${past.join(', ')}`, remedy);
  return pass(hex, 'no under-voltage or throttling since boot');
}

/** How the agent starts its children (cameras, clip cuts, the JPEG encoder): agent/core/child-spawn.ts. */
export function childSpawnOutcome(method: SpawnMethod): Outcome {
  if (method === 'posix_spawn') return pass(method, 'children start by posix_spawn (dist/lib/vfork-spawn.node): the agent is not copied');
  return warn(method, 'children start by a fork of the whole agent: each camera start and clip cut stalls it (20 ms at 1 GB) and detection skips frames with many cameras',
    'build the native helpers: `bash scripts/build-native.sh dist` in the install folder (needs cc and the Node headers), or re-run scripts/install.sh');
}

export function systemChecks(config: AgentConfig): CheckGroup {
  return {
    group: 'system',
    timeoutMs: 20000,
    timeoutRemedy: 'the box is too busy to answer; check `top` and the disk (`df -h`)',
    steps: [
      { id: 'system.cpu-load', title: 'CPU load' },
      { id: 'system.memory', title: 'memory available' },
      { id: 'system.memory-cameras', title: 'memory for the configured cameras' },
      { id: 'system.disk', title: 'disk free under gateway.dataDir' },
      { id: 'system.temperature', title: 'CPU temperature' },
      { id: 'system.throttling', title: 'under-voltage / throttling' },
      { id: 'system.uptime', title: 'uptime' },
      { id: 'system.child-spawn', title: 'how child processes start' },
    ],
    async run(r) {
      r.report('system.cpu-load', cpuLoadOutcome(os.loadavg()[0], os.cpus().length || 1));
      const mem = memAvailable();
      r.report('system.memory', memoryOutcome(mem.available, mem.total));
      r.report('system.memory-cameras', memoryBudgetOutcome(memoryBudget(config, mem.available)));
      try {
        r.report('system.disk', diskOutcome(config.gateway.dataDir));
      } catch (err) {
        r.report('system.disk', fail(null, `cannot measure ${config.gateway.dataDir}: ${(err as Error).message}`, 'check that gateway.dataDir is on a mounted, readable filesystem'));
      }
      const up = os.uptime();
      r.report('system.child-spawn', childSpawnOutcome(spawnMethod()));
      r.report('system.uptime', pass(Math.round(up), `up ${Math.floor(up / 86400)} d ${Math.floor((up % 86400) / 3600)} h ${Math.floor((up % 3600) / 60)} min`, 's'));
      await Promise.all([
        readTemperature().then((temp) =>
          r.report('system.temperature', temp ? temperatureOutcome(temp.celsius, temp.source) : skip('this machine exposes no CPU temperature sensor (no vcgencmd, no /sys/class/thermal zone, no hwmon)')),
        ),
        run('vcgencmd', ['get_throttled'], { timeoutMs: 3000 }).then((thr) => {
          const t = /throttled=(0x[0-9a-fA-F]+)/.exec(thr.stdout);
          r.report('system.throttling', thr.ok && t ? throttledOutcome(t[1]) : skip('only Raspberry Pi firmware reports under-voltage/throttling (vcgencmd get_throttled); not available here'));
        }),
      ]);
    },
  };
}
