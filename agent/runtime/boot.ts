import { mkdirSync } from 'node:fs';
import { toErrorInfo } from '../core/errors.js';
import { createLogger, type Logger } from '../core/logger.js';
import { Agent } from './agent.js';
import { BootAttempts, MAX_BOOT_ATTEMPTS } from './boot-attempts.js';
import { describeCandidate, startupCandidates, type SkippedStartup, type StartupInfo } from './startup-config.js';

/** Running this long counts a boot as good (its config's boot attempts start again from zero). */
const STABLE_MS = Number(process.env.EDGE_BOOT_STABLE_S ?? 60) * 1000;

export interface BootedAgent {
  agent: Agent;
  startup: StartupInfo;
  /** The agent stops cleanly: not the config's fault, so this boot counts as good. */
  stoppedCleanly(): void;
}

/**
 * Starts the agent on the best configuration that runs (startup-config.ts gives the order): one
 * whose boots keep failing is passed over (boot-attempts.ts), and one whose start throws is given up
 * at once for the next in line, in this same process. Only when every one fails does it throw, so a
 * bad push, an upgrade or a broken config file cannot leave a box offline while another config runs.
 */
export async function bootAgent(opts: { config?: string; bootstrap?: string }, bootLogger: Logger): Promise<BootedAgent> {
  const { dataDir, candidates, skipped } = startupCandidates(opts, bootLogger);
  // Created as the agent creates it (0750), before the boot counts go into it.
  mkdirSync(dataDir, { recursive: true, mode: 0o750 });
  const attempts = new BootAttempts(dataDir);
  const fresh = candidates.filter((c) => attempts.failures(c.key) < MAX_BOOT_ATTEMPTS);
  for (const c of candidates.filter((x) => !fresh.includes(x))) {
    const passed: SkippedStartup = { source: c.source, code: 'BOOT_ATTEMPTS_EXHAUSTED', message: `${describeCandidate(c)} did not run stable in ${MAX_BOOT_ATTEMPTS} boots` };
    skipped.push(passed);
    bootLogger.warn({ source: c.source, err: passed }, `start-up config ${c.source} passed over`);
  }
  // None left: try them all again in order rather than stay down.
  const order = fresh.length ? fresh : candidates;
  let lastError: unknown;
  for (const c of order) {
    const startup: StartupInfo = { source: c.source, origin: c.origin, version: c.version, bootAttempt: attempts.begin(c.key), skipped: [...skipped] };
    const logger = createLogger(process.env.EDGE_LOG_LEVEL ?? c.config.logging.level);
    try {
      const agent = await Agent.start(c.config, logger, c.version, startup);
      logger.info({ gatewayId: agent.gatewayId, cameras: c.config.cameras.length, source: describeCandidate(c), startup: c.source, bootAttempt: startup.bootAttempt, skipped: skipped.map((s) => `${s.source}: ${s.code}`) }, 'agent started');
      const stable = setTimeout(() => attempts.succeeded(c.key), STABLE_MS);
      stable.unref();
      return {
        agent,
        startup,
        stoppedCleanly: () => {
          clearTimeout(stable);
          attempts.succeeded(c.key);
        },
      };
    } catch (err) {
      lastError = err;
      const e = toErrorInfo(err, 'AGENT_START_FAILED');
      attempts.giveUp(c.key);
      skipped.push({ source: c.source, code: e.code, message: e.message });
      bootLogger.error({ source: c.source, err: e }, `agent failed to start on ${describeCandidate(c)}; trying the next config in line`);
    }
  }
  throw lastError;
}
