import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { outboxSnapshotFile } from '../../agent/diagnostics/outbox-snapshot.js';
import { startCli, stopProcess } from '../support/agent-cli.js';
import { check, runDiag } from '../diagnostics/helpers.js';
import { brokerSuite } from '../support/broker-suite.js';
import { waitFor } from '../support/wait.js';

/** Issue 15 item 6: the Docker HEALTHCHECK's storage check next to a running agent copies nothing. */
describe('diag storage next to the running agent (the Docker HEALTHCHECK)', function () {
  this.timeout(180000);
  const { tmp, broker } = brokerSuite('diag-healthcheck-');

  it('reads the backlog from the figures the agent writes at each health tick, with no temp file', async () => {
    const dataDir = path.join(tmp.dir, 'data');
    const configFile = path.join(tmp.dir, 'config.json');
    writeFileSync(configFile, JSON.stringify({
      gateway: { id: 'gw-hc', dataDir },
      mqtt: { url: broker.url, topicPrefix: 'edge' },
      health: { intervalSeconds: 1 },
      detection: { enabled: false },
      cameras: [],
    }));
    const agent = startCli(['run', '--config', configFile]);
    try {
      await waitFor(() => existsSync(outboxSnapshotFile(dataDir)), { timeoutMs: 90000, what: `the agent's outbox figures: ${agent.log.slice(-2000)}` });
      const r = runDiag(configFile, ['--only', 'storage', '--json'], { TMPDIR: path.join(tmp.dir, 'no-such-tmp') });
      assert.ok(r.report, r.stderr);
      assert.match(check(r.report, 'storage.leveldb').detail ?? '', /held by the running agent/);
      const backlog = check(r.report, 'storage.outbox');
      assert.equal(typeof backlog.value, 'number');
      assert.match(backlog.detail ?? '', /the running agent's figures of \d+ s ago/);
    } finally {
      assert.equal(await stopProcess(agent, 'SIGTERM'), 0, agent.log.slice(-2000));
    }
  });
});
