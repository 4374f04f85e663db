import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '../support/tmp.js';
import { waitFor } from '../support/wait.js';

const PROBE_SCRIPT = path.join(REPO_ROOT, 'agent/diagnostics/decode-probe-process.ts');

/** Live (not a zombie: a zombie holds no stream, its new parent reaps it). */
function isRunning(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
  } catch {
    return false;
  }
}

describe('the diag decode probe dies with diag', function () {
  this.timeout(120000);

  it('ends when the process that forked it is SIGKILLed mid-probe', async () => {
    // A stand-in for diag: forks the real probe on a live source that never ends, and prints the
    // probe's pid once frames flow.
    const parentScript = `
      const { fork } = require('node:child_process');
      const probe = fork(${JSON.stringify(PROBE_SCRIPT)}, [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
      let told = false;
      probe.on('message', (m) => {
        if (m.type === 'error') console.log('error ' + m.message);
        else if (m.type === 'progress' && m.frames > 0 && !told) { told = true; console.log('probe ' + probe.pid); }
      });
      probe.send({ pipeline: 'videotestsrc is-live=true ! video/x-raw,width=64,height=48,framerate=10/1 ! appsink name=frames', secretProps: [] });
      setInterval(() => {}, 1000);`;
    const parent = spawn(process.execPath, ['-e', parentScript], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    parent.stdout.on('data', (d: Buffer) => (out += d.toString()));
    let probePid: number | undefined;
    try {
      probePid = Number(await waitFor(() => /probe (\d+)/.exec(out)?.[1] ?? (out.includes('error') ? assert.fail(out) : undefined), { what: 'the probe decoding frames' }));
      parent.kill('SIGKILL');
      await waitFor(() => !isRunning(probePid as number), { timeoutMs: 15000, what: `the orphaned probe ${probePid} to end` });
    } finally {
      parent.kill('SIGKILL');
      if (probePid && isRunning(probePid)) process.kill(probePid, 'SIGKILL');
    }
  });
});
