import assert from 'node:assert/strict';
import path from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { signCommand } from '../../agent/provisioning/operator/sign.js';
import { startCli, stopProcess } from '../support/agent-cli.js';
import { brokerSuite } from '../support/broker-suite.js';
import { REPO_ROOT } from '../support/tmp.js';
import { waitFor } from '../support/wait.js';
import { makeFleet } from '../provisioning/support/fixture.js';
import { OperatorProbe } from '../provisioning/support/operator-probe.js';
import { writeAgentConfig } from './support.js';
import type { StatusMessage } from '../../agent/contract/index.js';

const FAULT = path.join(REPO_ROOT, 'test/support/stop-fault-preload.ts');

/**
 * The `restart` command stops the agent and starts a new one in the same process. When that stop
 * fails or hangs, a part may still run (broker session, outbox, cameras): the process must end with
 * code 1 and a logged code, so systemd / Docker start it afresh, never stay up without an agent.
 */
describe('edge-agent run: an in-process restart whose stop fails ends the process for the supervisor', function () {
  this.timeout(180000);
  const { tmp, broker, collect } = brokerSuite('agent-restart-fault-');
  let fleet: ReturnType<typeof makeFleet>;
  let agent: (ChildProcess & { log: string }) | undefined;
  before(() => {
    fleet = makeFleet(tmp.dir);
  });
  afterEach(async () => {
    if (agent) await stopProcess(agent, 'SIGKILL');
    agent = undefined;
  });

  const startedCount = (log: string): number => log.split('\n').filter((l) => l.includes('"msg":"agent started"')).length;
  const restartWith = async (fault: 'reject' | 'hang'): Promise<ChildProcess & { log: string }> => {
    const gw = `gw-${fault}`;
    const collector = await collect(`edge/${gw}/status`);
    const config = writeAgentConfig(tmp.dir, gw, broker.url, { detection: { enabled: false }, provisioning: { trustedKeys: [fleet.pubFile] } });
    const proc = startCli(['run', '--config', config], { EDGE_TEST_STOP_FAULT: fault }, FAULT);
    agent = proc;
    await collector.waitForMessage<StatusMessage>('/status', (s) => s.state === 'online', 90000);
    // Logged once every subsystem started: provisioning has its request subscription acknowledged.
    await waitFor(() => startedCount(proc.log) === 1, { timeoutMs: 90000, what: 'agent started' });
    const op = await new OperatorProbe(broker.url, `edge/${gw}`).start();
    try {
      const answer = await op.request('restart', signCommand(fleet, { gateway: gw, command: 'restart', id: 'r1' }), 'r1');
      assert.equal(answer.status, 'ok', JSON.stringify(answer));
    } finally {
      await op.stop();
    }
    await waitFor(() => proc.exitCode !== null || proc.signalCode !== null, { timeoutMs: 90000, what: `the agent process to exit; log:\n${proc.log.slice(-3000)}` });
    return proc;
  };

  it('a stop step that fails: exit code 1, SUBSYSTEM_STOP_FAILED logged, no second agent started', async () => {
    const proc = await restartWith('reject');
    assert.equal(proc.exitCode, 1);
    assert.match(proc.log, /"code":"SUBSYSTEM_STOP_FAILED".*agent did not stop cleanly for the in-process restart/);
    assert.equal(startedCount(proc.log), 1);
  });

  it('a stop that never finishes: exit code 1 with AGENT_STOP_TIMEOUT logged', async () => {
    const proc = await restartWith('hang');
    assert.equal(proc.exitCode, 1);
    assert.match(proc.log, /"code":"AGENT_STOP_TIMEOUT".*agent stop hung/);
    assert.equal(startedCount(proc.log), 1);
  });
});
