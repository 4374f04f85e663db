import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { readSystemMetrics } from '../../agent/runtime/system-metrics.js';
import { smallDisk } from '../support/small-disk.js';

const MODULE = path.resolve(__dirname, '../../agent/runtime/system-metrics.ts');
const MB = 1024 * 1024;

describe('system metrics in the health report', () => {
  const cleanups: Array<() => Promise<void> | void> = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  it('reports the disk that holds dataDir (a 16 MiB tmpfs), and its free space as it fills', async () => {
    const disk = smallDisk(cleanups);
    const empty = await readSystemMetrics(disk);
    assert.equal(empty.diskTotalMB, 16);
    assert.equal(empty.diskFreeMB, 16);
    writeFileSync(path.join(disk, 'ballast'), Buffer.alloc(6 * MB, 1));
    const filled = await readSystemMetrics(disk);
    assert.equal(filled.diskFreeMB, 10);
    assert.ok(filled.memTotalMB > 0 && filled.memUsedMB > 0 && filled.memUsedMB < filled.memTotalMB, JSON.stringify(filled));
    assert.ok(filled.cpuLoadPercent >= 0 && filled.cpuLoadPercent <= 100, JSON.stringify(filled));
    assert.ok(filled.agentRssMB > 0);
  });

  it('reports how busy the main thread was since the previous report: a blocked loop near 100 %, an idle one near 0', async () => {
    await readSystemMetrics('/tmp');
    const until = performance.now() + 300;
    while (performance.now() < until) { /* the main thread kept busy */ }
    const busy = await readSystemMetrics('/tmp');
    // Idle: the loop waits on a timer (nothing else runs in this test process meanwhile).
    await new Promise((r) => setTimeout(r, 300));
    const idle = await readSystemMetrics('/tmp');
    assert.ok(busy.agentMainThreadBusyPercent > 80, `busy: ${busy.agentMainThreadBusyPercent} %`);
    assert.ok(idle.agentMainThreadBusyPercent < 50, `idle: ${idle.agentMainThreadBusyPercent} %`);
  });

  it('a dataDir that does not exist gives no disk figures, not an error', async () => {
    const m = await readSystemMetrics('/nonexistent/edge-agent-data');
    assert.equal(m.diskFreeMB, null);
    assert.equal(m.diskTotalMB, null);
  });

  it('starts no process: a child forks the whole agent, which stalls the inference worker', () => {
    // Every child_process entry point counts its calls before the module is loaded, then the metrics are read twice.
    const script = [
      "const cp = require('node:child_process'); let started = 0;",
      "for (const k of ['spawn', 'spawnSync', 'exec', 'execSync', 'execFile', 'execFileSync', 'fork']) { const f = cp[k]; cp[k] = (...a) => { started++; return f(...a); }; }",
      `const { readSystemMetrics } = require(${JSON.stringify(MODULE)});`,
      "(async () => { await readSystemMetrics('/tmp'); const m = await readSystemMetrics('/tmp'); console.log(JSON.stringify({ started, diskTotalMB: m.diskTotalMB })); })();",
    ].join('\n');
    const run = spawnSync(process.execPath, ['--import', 'tsx', '-e', script], { encoding: 'utf8' });
    assert.equal(run.status, 0, run.stderr);
    const out = JSON.parse(run.stdout.trim().split('\n').pop() ?? '') as { started: number; diskTotalMB: number | null };
    assert.equal(out.started, 0);
    assert.ok((out.diskTotalMB ?? 0) > 0);
  });
});
