import { readdirSync, readFileSync } from 'node:fs';

/** Every process's command line now, by pid (processes that end while read are skipped). */
export function commandLines(): Map<number, string> {
  const out = new Map<number, string>();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      out.set(Number(d), readFileSync(`/proc/${d}/cmdline`, 'utf8').replaceAll('\0', ' '));
    } catch { /* gone */ }
  }
  return out;
}
