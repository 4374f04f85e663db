/**
 * What starting a child costs the agent's event loop, by the agent's size: node:child_process (a fork
 * of the agent) against posix_spawn (agent/core/child-spawn.ts). The process grows to the sizes of a
 * running agent (~0.7 GB with eight cameras) and each start is timed until spawn returns, child
 * reaped before the next. `npx tsx scripts/bench/spawn.ts`
 */
import { spawnChild, spawnMethod, type SpawnMethod } from '../../agent/core/child-spawn.js';
import { runStandalone } from './support/standalone.js';
import { percentile } from './support/stats.js';

const STARTS = 20;
const SIZES_MB = [0, 400, 1000];

async function startCost(method: SpawnMethod): Promise<number[]> {
  const ms: number[] = [];
  for (let i = 0; i < STARTS; i++) {
    const t0 = performance.now();
    const child = spawnChild('true', [], { stdio: ['ignore', 'ignore', 'ignore'] }, method);
    ms.push(performance.now() - t0);
    await new Promise((resolve) => child.once('exit', resolve));
  }
  return ms;
}

export async function run(): Promise<Record<string, unknown>> {
  if (spawnMethod() !== 'posix_spawn') throw new Error('the vfork-spawn addon is not built: run scripts/setup.sh');
  const held: Buffer[] = [];
  const rows: Record<string, unknown>[] = [];
  for (const mb of SIZES_MB) {
    // Written, not just allocated: a running agent's pages are resident.
    while (held.length < mb) held.push(Buffer.alloc(1 << 20, 1));
    const rssMb = Math.round(process.memoryUsage.rss() / 2 ** 20);
    // Alternated, so a busy moment of the box hits both alike.
    const fork: number[] = [];
    const posix: number[] = [];
    for (let round = 0; round < 3; round++) {
      fork.push(...(await startCost('fork')));
      posix.push(...(await startCost('posix_spawn')));
    }
    const row = { rssMb, forkMsP50: percentile(fork, 50), forkMsP95: percentile(fork, 95), posixSpawnMsP50: percentile(posix, 50), posixSpawnMsP95: percentile(posix, 95) };
    process.stdout.write(`spawn from ${rssMb} MB RSS: fork p50 ${row.forkMsP50} / p95 ${row.forkMsP95} ms; posix_spawn p50 ${row.posixSpawnMsP50} / p95 ${row.posixSpawnMsP95} ms\n`);
    rows.push(row);
  }
  return { starts: STARTS * 3, rows };
}

if (require.main === module) runStandalone('spawn', run);
