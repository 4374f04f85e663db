/**
 * Preloaded (`node --import`) into an agent process under test: the scheduler subsystem's stop does
 * its real work, then fails (EDGE_TEST_STOP_FAULT=reject) or never finishes (=hang), so a test can
 * see what `edge-agent run` does when a stop step fails. No stop of the real parts fails on demand;
 * the agent's own code is not touched.
 */
import { AgentError } from '../../agent/core/errors.js';
import { SchedulerSubsystem } from '../../agent/runtime/subsystems/scheduler.js';

const fault = process.env.EDGE_TEST_STOP_FAULT;
if (fault === 'reject' || fault === 'hang') {
  const realStop = SchedulerSubsystem.prototype.stop;
  SchedulerSubsystem.prototype.stop = async function stop(this: SchedulerSubsystem): Promise<void> {
    await realStop.call(this);
    if (fault === 'hang') await new Promise<never>(() => undefined);
    throw new AgentError('JOB_FAILED', 'scheduler stop failed (test fault)');
  };
}
