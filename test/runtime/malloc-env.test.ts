import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';

const MODULE = path.resolve(__dirname, '../../agent/runtime/malloc-env.ts');

describe('malloc environment', () => {
  it('the agent process starts with MALLOC_MMAP_THRESHOLD_ but the processes it starts do not inherit it', () => {
    // The probe: the variable as this process started with it (/proc/self/environ) and as a child sees it.
    const script = [
      `require(${JSON.stringify(MODULE)});`,
      "const atStart = require('node:fs').readFileSync('/proc/self/environ', 'utf8').split('\\0').find((v) => v.startsWith('MALLOC_MMAP_THRESHOLD_='));",
      "const child = require('node:child_process').spawnSync('sh', ['-c', 'echo ${MALLOC_MMAP_THRESHOLD_-unset}'], { encoding: 'utf8' }).stdout.trim();",
      'console.log(JSON.stringify({ atStart, child }));',
    ].join('\n');
    const run = spawnSync(process.execPath, ['--import', 'tsx', '-e', script], { encoding: 'utf8', env: { ...process.env, MALLOC_MMAP_THRESHOLD_: '131072' } });
    assert.equal(run.status, 0, run.stderr);
    assert.deepEqual(JSON.parse(run.stdout.trim().split('\n').pop() ?? ''), { atStart: 'MALLOC_MMAP_THRESHOLD_=131072', child: 'unset' });
  });
});
