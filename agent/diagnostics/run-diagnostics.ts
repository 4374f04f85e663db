/**
 * `runDiagnostics(config, opts)`: every check group at once, each under its own deadline; the
 * report the `diag` command prints, the agent answers the MQTT `diag` command with, and the status
 * page shows.
 */
import os from 'node:os';
import type { AgentConfig } from '../config/schema/index.js';
import { AGENT_VERSION } from '../core/version.js';
import type { OutboxStats } from '../outbox/types.js';
import { deriveGatewayId } from '../identity/gateway-id.js';
import { runGroup, type CheckGroup } from './check-runner.js';
import { cameraChecks } from './checks/camera.js';
import { clipChecks } from './checks/clips.js';
import { clockChecks } from './checks/clock.js';
import { detectorChecks } from './checks/detector.js';
import { gstreamerChecks } from './checks/gstreamer.js';
import { storageChecks } from './checks/storage.js';
import { systemChecks } from './checks/system.js';
import { uplinkChecks } from './checks/uplink.js';
import type { CheckResult, DetectorCapacity, DiagReport } from './report-schema.js';

export interface DiagOptions {
  /** Only these groups (system, clock, uplink, cameras, gstreamer, clips, detector, storage); all by default. */
  only?: Array<'system' | 'clock' | 'uplink' | 'cameras' | 'gstreamer' | 'clips' | 'detector' | 'storage'>;
  /** Per network step (DNS, TCP, TLS, CONNECT, RTSP, ONVIF). Default 5 s uplink, 8 s cameras. */
  stepTimeoutMs?: number;
  /** How long each camera's frames are measured once they flow. Default 3 s. */
  measureMs?: number;
  /** Model manifest, instead of detection.model under the install dir. */
  manifestPath?: string;
  /** The running agent's live outbox figures: then storage checks do not open (or copy) the LevelDB. */
  outboxStats?: () => OutboxStats;
  /** Where the config came from, shown in the report. */
  configSource?: string;
}

export function verdictOf(checks: CheckResult[]): DiagReport['verdict'] {
  if (checks.some((c) => c.status === 'fail')) return 'fail';
  if (checks.some((c) => c.status === 'warn')) return 'warn';
  return 'pass';
}

/** 0 all pass, 1 warnings, 2 failures. */
export function exitCodeOf(report: DiagReport): 0 | 1 | 2 {
  return report.verdict === 'fail' ? 2 : report.verdict === 'warn' ? 1 : 0;
}

export function summarise(counts: DiagReport['counts'], verdict: DiagReport['verdict'], checks: CheckResult[]): string {
  const failed = checks.filter((c) => c.status === 'fail').map((c) => c.id);
  const warned = checks.filter((c) => c.status === 'warn').map((c) => c.id);
  if (verdict === 'fail') return `FAIL: ${counts.fail} check(s) failed (${failed.join(', ')})${counts.warn ? `, ${counts.warn} warning(s)` : ''}`;
  if (verdict === 'warn') return `WARN: all essential checks pass, ${counts.warn} warning(s) (${warned.join(', ')})`;
  return `PASS: all ${counts.pass} checks pass${counts.skip ? ` (${counts.skip} not applicable)` : ''}`;
}

export function buildGroups(config: AgentConfig, gatewayId: string, opts: DiagOptions & { onCapacity?: (c: DetectorCapacity) => void }): CheckGroup[] {
  const want = (g: NonNullable<DiagOptions['only']>[number]): boolean => !opts.only || opts.only.includes(g);
  const groups: CheckGroup[] = [];
  if (want('system')) groups.push(systemChecks(config));
  if (want('clock')) groups.push(clockChecks());
  if (want('uplink')) groups.push(uplinkChecks(config, gatewayId, { stepTimeoutMs: opts.stepTimeoutMs }));
  if (want('gstreamer')) groups.push(gstreamerChecks(config));
  if (want('clips')) groups.push(clipChecks(config));
  if (want('cameras')) for (const cam of config.cameras) groups.push(cameraChecks(cam, config, { stepTimeoutMs: opts.stepTimeoutMs, measureMs: opts.measureMs }));
  if (want('detector')) groups.push(detectorChecks(config, { manifestPath: opts.manifestPath, onCapacity: opts.onCapacity }));
  if (want('storage')) groups.push(storageChecks(config, { outboxStats: opts.outboxStats }));
  return groups;
}

export async function runDiagnostics(config: AgentConfig, opts: DiagOptions = {}): Promise<DiagReport> {
  const started = new Date();
  const gatewayId = config.gateway.id ?? deriveGatewayId();
  // The detector benchmark is CPU-bound and has no remote end that could hang: it runs after the
  // others, so its inference time is not inflated by the camera decodes and it does not skew RTTs.
  let capacity: DetectorCapacity | undefined;
  const groups = buildGroups(config, gatewayId, { ...opts, onCapacity: (c) => (capacity = c) });
  const io = groups.filter((g) => g.group !== 'detector');
  const cpu = groups.filter((g) => g.group === 'detector');
  const first = await Promise.all(io.map(runGroup));
  const second = await Promise.all(cpu.map(runGroup));
  // Report in the declared order whatever the phase.
  const byGroup = new Map([...first, ...second].map((rs, i) => [[...io, ...cpu][i].group, rs]));
  const checks = groups.flatMap((g) => byGroup.get(g.group) ?? []);
  const counts = { pass: 0, warn: 0, fail: 0, skip: 0 };
  for (const c of checks) counts[c.status]++;
  const verdict = verdictOf(checks);
  return {
    schemaVersion: 1,
    agentVersion: AGENT_VERSION,
    gatewayId,
    hostname: os.hostname(),
    ...(opts.configSource ? { configSource: opts.configSource } : {}),
    startedAt: started.toISOString(),
    durationMs: Date.now() - started.getTime(),
    verdict,
    summary: summarise(counts, verdict, checks),
    counts,
    checks,
    ...(capacity ? { capacity } : {}),
  };
}
