/**
 * Is the clock synchronised, and by how much is it off? Clips and events are evidence: their
 * timestamps must hold up. Asks, in order, systemd-timesyncd (timedatectl), chrony (chronyc) and the
 * kernel itself (adjtimex STA_UNSYNC, via python3 ctypes: Node has no adjtimex binding).
 */
import { existsSync } from 'node:fs';
import { fail, pass, skip, warn, type CheckGroup, type Outcome } from '../check-runner.js';
import { run } from '../exec.js';

export interface ClockState {
  synchronised: boolean;
  source: string;
  /** Seconds, local minus reference, when the source reports it. */
  offsetS?: number;
}

/** `chronyc -n tracking` → synchronised and offset. */
export function parseChronyTracking(out: string): ClockState | undefined {
  const leap = /Leap status\s*:\s*(.+)/.exec(out)?.[1].trim();
  if (!leap) return undefined;
  const m = /System time\s*:\s*([\d.]+) seconds (fast|slow)/.exec(out);
  const offsetS = m ? Number(m[1]) * (m[2] === 'fast' ? 1 : -1) : undefined;
  return { synchronised: leap === 'Normal', source: 'chrony', offsetS };
}

/** `timedatectl timesync-status` "Offset: +1.234ms" → seconds. */
export function parseTimesyncOffset(out: string): number | undefined {
  const m = /Offset:\s*([+-]?[\d.]+)(us|ms|s)\b/.exec(out);
  if (!m) return undefined;
  return Number(m[1]) * ({ us: 1e-6, ms: 1e-3, s: 1 } as const)[m[2] as 'us' | 'ms' | 's'];
}

const ADJTIMEX_PY = `
import ctypes, ctypes.util
class T(ctypes.Structure):
    _fields_ = [("modes", ctypes.c_uint), ("offset", ctypes.c_long), ("freq", ctypes.c_long), ("maxerror", ctypes.c_long),
                ("esterror", ctypes.c_long), ("status", ctypes.c_int), ("pad", ctypes.c_long * 40)]
t = T()
r = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True).adjtimex(ctypes.byref(t))
print(r, t.status, t.maxerror, t.esterror)
`;

async function kernelState(): Promise<ClockState | undefined> {
  const py = await run('/usr/bin/python3', ['-c', ADJTIMEX_PY], { timeoutMs: 8000 });
  const m = /^(-?\d+) (\d+) (\d+) (\d+)/.exec(py.stdout.trim());
  if (!py.ok || !m) return undefined;
  const STA_UNSYNC = 0x40;
  return { synchronised: (Number(m[2]) & STA_UNSYNC) === 0, source: `kernel adjtimex (status 0x${Number(m[2]).toString(16)}, max error ${(Number(m[3]) / 1000).toFixed(0)} ms)` };
}

/** Asks every source at once (each is a process start: slow on a loaded box) and believes the best one. */
export async function readClockState(): Promise<ClockState | undefined> {
  const [td, st, ch, kernel] = await Promise.all([
    run('timedatectl', ['show', '-p', 'NTPSynchronized', '--value'], { timeoutMs: 8000 }),
    run('timedatectl', ['timesync-status'], { timeoutMs: 8000 }),
    run('chronyc', ['-n', 'tracking'], { timeoutMs: 8000 }),
    kernelState(),
  ]);
  if (td.ok && /^(yes|no)$/.test(td.stdout.trim())) {
    return { synchronised: td.stdout.trim() === 'yes', source: 'systemd (timedatectl)', offsetS: st.ok ? parseTimesyncOffset(st.stdout) : undefined };
  }
  const chrony = ch.ok ? parseChronyTracking(ch.stdout) : undefined;
  if (chrony) return chrony;
  if (existsSync('/run/systemd/timesync/synchronized')) return { synchronised: true, source: 'systemd-timesyncd (/run/systemd/timesync/synchronized)' };
  return kernel;
}

const SYNC_REMEDY = 'enable time sync (`timedatectl set-ntp true` or install chrony), allow UDP 123 to the NTP servers, and on boards without an RTC wait for sync before trusting clips';

export function syncOutcome(s: ClockState, now = new Date()): Outcome {
  if (now.getUTCFullYear() < 2024) return fail(false, `clock says ${now.toISOString()}: it was never set (no RTC, no NTP yet)`, SYNC_REMEDY);
  return s.synchronised ? pass(true, `synchronised (${s.source})`) : warn(false, `not synchronised (${s.source}); clip and event timestamps may drift`, SYNC_REMEDY);
}

export function offsetOutcome(offsetS: number, source: string): Outcome {
  const ms = Number((offsetS * 1000).toFixed(3));
  const detail = `${Math.abs(ms)} ms ${offsetS >= 0 ? 'fast' : 'slow'} (${source})`;
  if (Math.abs(offsetS) >= 1) return fail(ms, detail, SYNC_REMEDY, 'ms');
  if (Math.abs(offsetS) >= 0.1) return warn(ms, detail, SYNC_REMEDY, 'ms');
  return pass(ms, detail, 'ms');
}

export function clockChecks(): CheckGroup {
  return {
    group: 'clock',
    timeoutMs: 20000,
    timeoutRemedy: 'timedatectl/chronyc did not answer: check `systemctl status systemd-timesyncd chrony`',
    steps: [
      { id: 'clock.sync', title: 'time synchronised' },
      { id: 'clock.offset', title: 'clock offset' },
    ],
    async run(r) {
      const s = await readClockState();
      if (!s) {
        r.report('clock.sync', syncOutcome({ synchronised: false, source: 'no timedatectl, chronyc or adjtimex answer' }));
        r.skipRest('no time-sync service to ask');
        return;
      }
      r.report('clock.sync', syncOutcome(s));
      r.report('clock.offset', s.offsetS !== undefined ? offsetOutcome(s.offsetS, s.source) : skip(`${s.source} does not report an offset (chrony or systemd-timesyncd do)`));
    },
  };
}
