import assert from 'node:assert/strict';
import { JobScheduler } from '../../agent/diagnostics/scheduler.js';
import { createLogger } from '../../agent/core/logger.js';
import { waitFor } from '../support/wait.js';

describe('scheduled jobs (node-cron)', function () {
  this.timeout(60000);
  const scheduler = new JobScheduler(createLogger('silent'));
  after(() => scheduler.stop());

  it('fires each job on its schedule and counts runs', async () => {
    const fired: number[] = [];
    scheduler.add('every-second', '* * * * * *', () => fired.push(Date.now()));
    await waitFor(() => fired.length >= 3, { timeoutMs: 20000, what: 'three runs' });
    const gaps = fired.slice(1).map((t, i) => t - fired[i]);
    assert.ok(gaps.every((g) => g >= 500 && g <= 5000), `runs about a second apart: ${gaps.join(',')}`);
    assert.ok(scheduler.jobStats()['every-second'].runs >= 3);
  });

  it('counts and logs a failing job without stopping the others', async () => {
    let ok = 0;
    scheduler.add('fails', '* * * * * *', () => {
      throw new Error('disk on fire');
    });
    scheduler.add('works', '* * * * * *', () => ok++);
    await waitFor(() => scheduler.jobStats().fails.failures >= 2 && ok >= 2, { timeoutMs: 20000, what: 'both jobs ran twice' });
    assert.equal(scheduler.jobStats().fails.lastError?.message, 'disk on fire');
  });

  it('never runs a job over itself', async () => {
    let concurrent = 0;
    let maxConcurrent = 0;
    let runs = 0;
    scheduler.add('slow', '* * * * * *', async () => {
      concurrent++;
      maxConcurrent = Math.max(maxConcurrent, concurrent);
      await new Promise((r) => setTimeout(r, 2500));
      concurrent--;
      runs++;
    });
    await waitFor(() => runs >= 2, { timeoutMs: 30000, what: 'two slow runs' });
    assert.equal(maxConcurrent, 1);
  });
});
