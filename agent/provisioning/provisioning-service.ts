import type { KeyObject } from 'node:crypto';
import type { AgentConfig } from '../config/schema/index.js';
import { commandOfRequest, DESIRED_TOPIC, isOwnResponseTopic, REPORTED_TOPIC, REQUEST_FILTER, responseTopic, type CommandResponse, type ConfigReport, type ProvisioningStatus } from '../contract/index.js';
import { redactSecrets } from '../config/secrets.js';
import { AgentError, toErrorInfo } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import type { GatewayIdentity } from '../identity/gateway-identity.js';
import type { IncomingMessage, Uplink } from '../uplink/types.js';
import { CommandLimiter } from './command-limits.js';
import { checkArgs, COMMANDS, isCommandName, type CommandContext } from './commands.js';
import { checkAccess, parseRequest, requestIdOf } from './command-request.js';
import { configHash } from './config-hash.js';
import { ClockDependentRetry } from './clock-retry.js';
import { checkDesiredConfig } from './desired-config.js';
import type { ProvisioningHost } from './host.js';
import type { TrustedKey } from './jws.js';
import { LastGoodConfigStore } from './last-good-store.js';
import { ReplayGuard } from './replay-guard.js';
import { ed25519PrivateToX25519 } from './secret-box.js';
import { loadTrustStore } from './trust-store.js';

export interface ProvisioningServiceOptions {
  gatewayId: string;
  /** The configuration running now (the runtime chose it: last-good if any, else the file). */
  config: AgentConfig;
  dataDir: string;
  uplink: Uplink;
  host: ProvisioningHost;
  identity: GatewayIdentity;
  logger: Logger;
  /**
   * Desired-config version of `config` (0 = the config file). Default: the last-good version when
   * `config` is the stored last-good config (pass `LastGoodConfigStore.load().config` unchanged), else 0.
   */
  version?: number;
  /** How often health is probed while a new config settles. */
  healthPollMs?: number;
  /** How often a config refused only because of the gateway clock is checked again (default 5 s). */
  clockRetryMs?: number;
}

/**
 * Accepts signed desired configs (apply, watch health, keep or roll back, report) and answers
 * commands, all under the gateway's own topic prefix. Messages are handled one at a time in order,
 * so a flood of bad ones cannot race a good one; nothing in a message is logged but codes.
 * (~340 lines: both flows share the trust store, the version floor, the ordered queue and the reporting.)
 */
export class ProvisioningService {
  private running: { config: AgentConfig; version: number };
  private trusted: TrustedKey[] = [];
  /** provisioning.readerKeys: may sign read-only commands only. */
  private readers: TrustedKey[] = [];
  private trustError?: AgentError;
  private readonly limiter = new CommandLimiter();
  private readonly store: LastGoodConfigStore;
  private readonly replay: ReplayGuard;
  private readonly x25519: KeyObject;
  private queue: Promise<void> = Promise.resolve();
  private stopped = true;
  private lastReport?: ConfigReport;
  private readonly commandCtx: CommandContext;
  /** A report the broker has not acknowledged yet: sent again at the next connect. */
  private unsentReport?: ConfigReport;
  private offConnection?: () => void;
  private readonly clockRetry: ClockDependentRetry;
  /** The highest version floor read or used up in this run: kept when the state file stops reading. */
  private knownFloor?: number;

  constructor(private readonly opts: ProvisioningServiceOptions) {
    this.store = new LastGoodConfigStore(opts.dataDir);
    // Read only when not told: the runtime may run on a fallback because last-good does not load.
    const lastGood = opts.version === undefined ? this.store.load() : undefined;
    const version = opts.version ?? (lastGood && lastGood.configHash === configHash(opts.config) ? lastGood.version : 0);
    this.running = { config: opts.config, version };
    this.replay = new ReplayGuard(opts.dataDir, () => this.running.config.provisioning.maxClockSkewSeconds * 1000);
    this.x25519 = ed25519PrivateToX25519(opts.identity.privateKey);
    this.loadTrust(opts.config);
    this.commandCtx = { host: opts.host, running: () => this.running };
    this.clockRetry = new ClockDependentRetry(opts.clockRetryMs ?? 5000, (payload) => this.enqueue(() => this.onDesired(payload, true)));
  }

  async start(): Promise<void> {
    this.stopped = false;
    this.offConnection = this.opts.uplink.onConnectionChange((connected) => {
      const pending = this.unsentReport;
      if (connected && pending && !this.stopped) void this.publishReport(pending);
    });
    await this.opts.uplink.subscribe(DESIRED_TOPIC, (msg) => this.enqueue(() => this.onDesired(msg.payload, false)));
    await this.opts.uplink.subscribe(REQUEST_FILTER, (msg) => void this.onRequest(msg));
  }

  /** Stops handling messages; an apply in progress finishes (or rolls back) first. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.offConnection?.();
    this.clockRetry.clear();
    await this.queue;
  }

  /** For `health`: what runs and how the last push went (no secrets). */
  status(): ProvisioningStatus {
    return {
      version: this.running.version,
      configHash: configHash(redactSecrets(this.running.config)),
      lastReport: this.lastReport,
      trustedKeys: this.trusted.length,
      trustError: this.trustError?.code,
    };
  }

  get runningConfig(): AgentConfig {
    return this.running.config;
  }

  private loadTrust(config: AgentConfig): void {
    try {
      this.trusted = loadTrustStore(config.provisioning.trustedKeys);
      this.trustError = undefined;
    } catch (err) {
      this.trusted = [];
      this.trustError = err instanceof AgentError ? err : new AgentError('TRUST_KEY_UNREADABLE', String(err));
      this.opts.logger.error({ code: this.trustError.code }, `provisioning trust store unusable: ${this.trustError.message}`);
    }
    this.loadReaders(config);
  }

  /** Reader keys that do not load leave only the fleet keys: logged, never a lockout. */
  private loadReaders(config: AgentConfig): void {
    try {
      this.readers = loadTrustStore(config.provisioning.readerKeys);
    } catch (err) {
      this.readers = [];
      const e = toErrorInfo(err, 'TRUST_KEY_UNREADABLE');
      this.opts.logger.error({ code: e.code }, `provisioning.readerKeys unusable, read-only keys refused: ${e.message}`);
    }
  }

  private enqueue(job: () => Promise<void>): void {
    this.queue = this.queue.then(job).catch(async (err: unknown) => {
      const e = toErrorInfo(err, 'PROVISIONING_INTERNAL');
      this.opts.logger.error({ err: e }, 'provisioning: unexpected error handling a desired config');
      await this.report({ version: null, status: 'rejected', error: { code: e.code, message: e.message } }).catch(() => undefined);
    });
  }

  /** `retry`: a re-check of a config refused because of the clock (a new message supersedes it). */
  private async onDesired(payload: Buffer, retry: boolean): Promise<void> {
    if (this.stopped) return;
    if (!retry) this.clockRetry.clear();
    const p = this.running.config.provisioning;
    if (payload.length === 0) return; // the operator cleared the retained message
    let lastHandled: number;
    try {
      lastHandled = this.versionFloor();
    } catch (err) {
      const e = toErrorInfo(err, 'PROVISIONING_STATE_UNREADABLE');
      this.opts.logger.error({ err: e }, 'provisioning: desired config refused, the version floor is unknown');
      return this.report({ version: null, status: 'rejected', error: { code: e.code, message: e.message } });
    }
    if (this.trustError && payload.length <= p.maxMessageBytes) {
      return this.report({ version: null, status: 'rejected', error: { code: this.trustError.code, message: this.trustError.message } });
    }
    const check = checkDesiredConfig(payload, {
      gatewayId: this.opts.gatewayId,
      trusted: this.trusted,
      maxMessageBytes: p.maxMessageBytes,
      maxClockSkewMs: p.maxClockSkewSeconds * 1000,
      currentVersion: lastHandled,
      runningDataDir: this.opts.dataDir,
      runningTrustedKeys: p.trustedKeys,
      x25519Private: this.x25519,
    });
    if (!check.ok) {
      // The retained copy of the version already handled comes back on every (re)connect: not news.
      if (check.error.code === 'PROVISIONING_STALE_VERSION' && check.version === lastHandled) return this.clockRetry.clear();
      if (retry && this.clockRetry.isRepeat(payload, check.error.code)) return;
      if (check.clockDependent) this.clockRetry.hold(payload, check.error.code);
      else this.clockRetry.clear();
      this.opts.logger.warn({ code: check.error.code, version: check.version }, 'provisioning: desired config rejected');
      if (check.consumesVersion && check.version !== null && check.version > lastHandled) this.useUpVersion(check.version);
      return this.report({ version: check.version, status: 'rejected', error: { code: check.error.code, message: check.error.message } });
    }
    this.clockRetry.clear();
    let newTrust: TrustedKey[];
    try {
      newTrust = loadTrustStore(check.config.provisioning.trustedKeys);
    } catch (err) {
      const e = toErrorInfo(err);
      this.useUpVersion(check.version);
      return this.report({ version: check.version, status: 'rejected', error: { code: 'PROVISIONING_LOCKOUT', message: `the new provisioning.trustedKeys are unusable (${e.code}): the gateway could never be provisioned again` } });
    }
    // Recorded before applying: a crash mid-apply restarts on last-good and does not retry this one.
    this.useUpVersion(check.version);
    await this.apply(check.version, check.config, newTrust);
  }

  /** Versions at or below it are not handled again (it never moves down: see LastGoodConfigStore.versionFloor). */
  private versionFloor(): number {
    try {
      this.knownFloor = Math.max(this.knownFloor ?? 0, this.store.versionFloor());
    } catch (err) {
      if (this.knownFloor === undefined) throw err;
      this.opts.logger.warn({ err: toErrorInfo(err) }, 'provisioning: version floor unreadable now; keeping the one read before');
    }
    return Math.max(this.knownFloor, this.running.version);
  }

  private useUpVersion(version: number): void {
    this.store.setLastHandledVersion(version);
    this.knownFloor = Math.max(this.knownFloor ?? 0, version);
  }

  private async apply(version: number, config: AgentConfig, newTrust: TrustedKey[]): Promise<void> {
    const previous = this.running;
    const log = this.opts.logger;
    log.info({ version }, 'provisioning: applying desired config');
    let failure: string | undefined;
    try {
      await this.opts.host.applyConfig(config);
      failure = await this.waitHealthy(config.provisioning.applyTimeoutSeconds * 1000);
    } catch (err) {
      const e = toErrorInfo(err);
      failure = `${e.code}: ${e.message}`;
    }
    if (failure === undefined) {
      try {
        this.store.save(version, config);
      } catch (err) {
        // A config that would not survive a restart is not applied: the box would silently change back.
        const e = toErrorInfo(err, 'LAST_GOOD_WRITE_FAILED');
        failure = `cannot keep it as last-good (${e.code}: ${e.message})`;
      }
    }
    if (failure === undefined) {
      this.running = { config, version };
      this.trusted = newTrust;
      this.trustError = undefined;
      this.loadReaders(config);
      log.info({ version }, 'provisioning: desired config applied');
      return this.report({ version, status: 'applied' });
    }
    log.warn({ version, reason: failure }, 'provisioning: new config not healthy, rolling back');
    let rollbackError = '';
    try {
      await this.opts.host.applyConfig(previous.config);
    } catch (err) {
      const e = toErrorInfo(err);
      rollbackError = `; rollback to version ${previous.version} failed too: ${e.code}: ${e.message}`;
      log.error({ code: e.code }, 'provisioning: rollback failed');
    }
    this.running = previous;
    return this.report({ version, status: 'rolled_back', error: { code: 'PROVISIONING_UNHEALTHY', message: `${failure}${rollbackError}` } });
  }

  /** undefined when healthy in time, else why not. */
  private async waitHealthy(timeoutMs: number): Promise<string | undefined> {
    const deadline = Date.now() + timeoutMs;
    let reason = 'not healthy';
    for (;;) {
      if (!this.opts.uplink.connected) reason = 'broker not reachable';
      else {
        const v = await this.opts.host.isHealthy();
        if (v.ok) return undefined;
        reason = v.reason ?? 'not healthy';
      }
      if (Date.now() >= deadline) return `not healthy within ${timeoutMs / 1000} s: ${reason}`;
      await new Promise((r) => setTimeout(r, Math.min(this.opts.healthPollMs ?? 500, Math.max(0, deadline - Date.now()))));
    }
  }

  private async report(r: Omit<ConfigReport, 'configHash' | 'runningVersion' | 'ts'>): Promise<void> {
    const full: ConfigReport = {
      ...r,
      configHash: configHash(redactSecrets(this.running.config)),
      runningVersion: this.running.version,
      ts: new Date().toISOString(),
    };
    this.lastReport = full;
    await this.publishReport(full);
  }

  private async publishReport(report: ConfigReport): Promise<void> {
    this.unsentReport = report;
    try {
      await this.opts.uplink.publish(REPORTED_TOPIC, JSON.stringify(report), { qos: 1, retain: true, contentType: 'application/json' });
      if (this.unsentReport === report) this.unsentReport = undefined;
    } catch (err) {
      this.opts.logger.warn({ err: toErrorInfo(err) }, 'provisioning: config/reported not acknowledged; sent again at the next connect');
    }
  }

  private async onRequest(msg: IncomingMessage): Promise<void> {
    if (this.stopped || msg.retain) return; // a retained request would re-run on every reconnect
    const name = commandOfRequest(msg.topic);
    const p = this.running.config.provisioning;
    let id: string | null = null;
    let after: (() => Promise<void>) | undefined;
    let response: CommandResponse;
    try {
      id = requestIdOf(msg.payload, p.maxMessageBytes);
      if (!isCommandName(name)) throw new AgentError('COMMAND_UNKNOWN', `unknown command "${name.slice(0, 64)}"`, `one of: ${Object.keys(COMMANDS).join(', ')}`);
      if (this.trustError) throw this.trustError;
      const req = parseRequest(msg.payload, { command: name, gatewayId: this.opts.gatewayId, trusted: [...this.trusted, ...this.readers], maxBytes: p.maxMessageBytes });
      id = req.id;
      const spec = COMMANDS[name];
      checkAccess(name, spec.access, req, this.trusted);
      checkArgs(name, req.args);
      if (req.signed) this.replay.check(req.signed.kid, req.signed.nonce, req.signed.ts);
      // Args were checked against the command's own schema just above.
      const run = spec.run as (a: Record<string, unknown>, c: CommandContext) => Promise<Record<string, unknown>>;
      const data = await this.limiter.run(name, spec.limit, () => run(req.args, this.commandCtx));
      response = { id, status: 'ok', data };
      const afterAnswer = spec.after;
      if (afterAnswer) after = () => afterAnswer(this.commandCtx);
      if (req.signed) this.opts.logger.info({ command: name, id, kid: req.signed.kid }, 'provisioning: signed command executed');
    } catch (err) {
      const e = toErrorInfo(err, 'COMMAND_FAILED');
      response = { id, status: 'error', error: { code: e.code, message: e.message } };
      this.opts.logger.warn({ command: name.slice(0, 64), code: e.code }, 'provisioning: command refused or failed');
    }
    await this.respond(name, msg, response);
    if (after) await after().catch((err: unknown) => this.opts.logger.error({ err: toErrorInfo(err) }, 'provisioning: post-answer action failed'));
  }

  private async respond(name: string, msg: IncomingMessage, response: CommandResponse): Promise<void> {
    const body = JSON.stringify(response);
    const { uplink, logger } = this.opts;
    const sends = [uplink.publish(responseTopic(name), body, { qos: 1, contentType: 'application/json' })];
    // Only answer where the gateway may publish anyway: its own response namespace. A response topic
    // elsewhere (another gateway, or this one's status/reported) would let a requester forge messages.
    if (msg.responseTopic !== undefined) {
      if (isOwnResponseTopic(uplink.root, msg.responseTopic)) {
        sends.push(uplink.publishAbsolute(msg.responseTopic, body, { qos: 1, correlationData: msg.correlationData, contentType: 'application/json' }));
      } else logger.warn({ command: name.slice(0, 64) }, 'provisioning: ignoring a response topic outside this gateway\'s response/ namespace');
    }
    const results = await Promise.allSettled(sends);
    for (const r of results) if (r.status === 'rejected') logger.warn({ err: toErrorInfo(r.reason) }, 'provisioning: could not publish a command response');
  }
}
