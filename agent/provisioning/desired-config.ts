import type { KeyObject } from 'node:crypto';
import path from 'node:path';
import { resolveRelativePaths } from '../config/load.js';
import type { AgentConfig } from '../config/schema/index.js';
import { formatProblems, validateConfig } from '../config/validate.js';
import type { DesiredConfigClaims } from '../contract/index.js';
import { AgentError, type ErrorCode } from '../core/errors.js';
import { isFlattenedJws, verifyJws, type TrustedKey } from './jws.js';
import { decryptSecretsIn } from './secret-box.js';

/**
 * Settings that belong to the box rather than the fleet are kept when a pushed config leaves them out:
 * gateway.dataDir (where identity and last-good live) and provisioning.trustedKeys (so a push cannot
 * silently drop the trust store; an explicit [] is still refused as a lockout).
 */
function inheritLocalSettings(config: unknown, ctx: DesiredCheckContext): unknown {
  if (!config || typeof config !== 'object' || Array.isArray(config)) return config;
  const c = config as Record<string, unknown>;
  const section = (v: unknown): Record<string, unknown> => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {});
  const gateway = section(c.gateway);
  const provisioning = section(c.provisioning);
  const isObj = (v: unknown): boolean => v === undefined || (!!v && typeof v === 'object' && !Array.isArray(v));
  if (!isObj(c.gateway) || !isObj(c.provisioning)) return config; // let the schema say what is wrong
  return {
    ...c,
    gateway: { ...gateway, dataDir: gateway.dataDir ?? ctx.runningDataDir },
    provisioning: { ...provisioning, trustedKeys: provisioning.trustedKeys ?? ctx.runningTrustedKeys },
  };
}

export interface DesiredCheckContext {
  gatewayId: string;
  trusted: readonly TrustedKey[];
  maxMessageBytes: number;
  maxClockSkewMs: number;
  /** Highest version already handled; a desired config must be newer. */
  currentVersion: number;
  runningDataDir: string;
  /** provisioning.trustedKeys of the running config, inherited by a pushed config that omits them. */
  runningTrustedKeys: readonly string[];
  x25519Private: KeyObject;
  now?: number;
}

export type DesiredCheck =
  | { ok: true; version: number; config: AgentConfig; kid: string }
  | {
    ok: false;
    /** The message's version when it was readable from an authentic message, else null. */
    version: number | null;
    error: AgentError;
    authentic: boolean;
    /**
     * The rejection is final for this version: authentic, addressed to this gateway and refused for a
     * reason that will not change, so the version is used up. A forged, misaddressed or clock-dependent
     * rejection must not burn a version the fleet will use later.
     */
    consumesVersion: boolean;
    /** Refused only because of the gateway clock (issuedAt ahead, expired): worth checking again when the clock moves. */
    clockDependent: boolean;
  };

/** How far a rejected message got: unauthentic, authentic but for another gateway, or addressed to this one. */
type Reached = 'unauthentic' | 'authentic' | 'addressed';

/** Rejections that depend on the gateway clock, which may be wrong at boot (no RTC) and right after NTP. */
const CLOCK_DEPENDENT: ReadonlySet<ErrorCode> = new Set<ErrorCode>(['PROVISIONING_BAD_ISSUED_AT', 'PROVISIONING_EXPIRED']);

function reject(code: ErrorCode, message: string, remedy: string, version: number | null = null, reached: Reached = 'unauthentic'): DesiredCheck {
  return rejectWith(new AgentError(code, message, remedy), version, reached);
}

function rejectWith(error: AgentError, version: number | null, reached: Reached): DesiredCheck {
  const clockDependent = CLOCK_DEPENDENT.has(error.code);
  const final = reached === 'addressed' && !clockDependent && error.code !== 'PROVISIONING_STALE_VERSION';
  return { ok: false, version, error, authentic: reached !== 'unauthentic', consumesVersion: final && version !== null, clockDependent };
}

function parseTime(v: unknown): number {
  return typeof v === 'string' ? Date.parse(v) : Number.NaN;
}

/**
 * Every check a desired config must pass before it may touch the running gateway, cheapest first:
 * size (before parsing), JSON, signature, addressee, version, time window, secrets, THE schema,
 * and guards against a config that would cut the gateway off (empty trust store, moved dataDir).
 */
export function checkDesiredConfig(payload: Buffer, ctx: DesiredCheckContext): DesiredCheck {
  if (payload.length > ctx.maxMessageBytes) {
    return reject('PROVISIONING_TOO_LARGE', `message is ${payload.length} bytes, more than provisioning.maxMessageBytes (${ctx.maxMessageBytes})`, 'shrink the config or raise provisioning.maxMessageBytes');
  }
  let outer: unknown;
  try {
    outer = JSON.parse(payload.toString('utf8'));
  } catch {
    return reject('PROVISIONING_MALFORMED', 'message is not JSON', 'publish a JWS made by `edge-agent provision push`');
  }
  if (!isFlattenedJws(outer)) return reject('PROVISIONING_UNSIGNED', 'message is not a signed JWS ({protected, payload, signature})', 'sign it with a fleet key: `edge-agent provision push`');
  let claims: unknown;
  let kid: string;
  try {
    ({ claims, kid } = verifyJws(outer, 'edge-desired-config', ctx.trusted));
  } catch (err) {
    if (err instanceof AgentError) return rejectWith(err, null, 'unauthentic');
    throw err;
  }
  const c = claims as Partial<DesiredConfigClaims> | null;
  if (!c || typeof c !== 'object' || typeof c.gateway !== 'string' || !Number.isSafeInteger(c.version) || typeof c.issuedAt !== 'string' || !('config' in c)) {
    return reject('PROVISIONING_MALFORMED', 'signed claims need gateway (string), version (integer), issuedAt and config', 'publish with `edge-agent provision push`', null, 'authentic');
  }
  const version = c.version as number;
  if (c.gateway !== ctx.gatewayId) {
    return reject('PROVISIONING_WRONG_GATEWAY', `config is addressed to gateway "${c.gateway}", this is "${ctx.gatewayId}"`, 'push it to the topic of the gateway it names', version, 'authentic');
  }
  if (version <= ctx.currentVersion) {
    return reject('PROVISIONING_STALE_VERSION', `version ${version} is not higher than ${ctx.currentVersion}, the one already handled`, `push with --version ${ctx.currentVersion + 1} or higher`, version, 'addressed');
  }
  const now = ctx.now ?? Date.now();
  const issued = parseTime(c.issuedAt);
  if (!Number.isFinite(issued) || issued - now > ctx.maxClockSkewMs) {
    return reject('PROVISIONING_BAD_ISSUED_AT', 'issuedAt is missing, unreadable or in the future beyond provisioning.maxClockSkewSeconds', 'check the clocks (NTP) of the operator machine and the gateway', version, 'addressed');
  }
  if (c.expiresAt !== undefined) {
    const expires = parseTime(c.expiresAt);
    if (!Number.isFinite(expires)) return reject('PROVISIONING_MALFORMED', 'expiresAt is not an ISO 8601 time', 'publish with `edge-agent provision push`', version, 'addressed');
    if (expires <= now) return reject('PROVISIONING_EXPIRED', `config expired at ${c.expiresAt}`, 'push it again with a later expiry', version, 'addressed');
  }
  let plain: unknown;
  try {
    plain = decryptSecretsIn(c.config, ctx.x25519Private);
  } catch (err) {
    if (err instanceof AgentError) return rejectWith(err, version, 'addressed');
    throw err;
  }
  const result = validateConfig(inheritLocalSettings(plain, ctx));
  if (!result.ok) {
    return reject('CONFIG_INVALID', `config does not pass the schema:\n${formatProblems(result.problems)}`, 'fix the listed keys; `edge-agent check-config FILE` checks before pushing', version, 'addressed');
  }
  const config = resolveRelativePaths(result.config, ctx.runningDataDir);
  if (config.gateway.id !== undefined && config.gateway.id !== ctx.gatewayId) {
    return reject('PROVISIONING_WRONG_GATEWAY', `config sets gateway.id "${config.gateway.id}", this is "${ctx.gatewayId}"`, 'leave gateway.id out of pushed configs or set it to this gateway', version, 'addressed');
  }
  if (path.resolve(config.gateway.dataDir) !== path.resolve(ctx.runningDataDir)) {
    return reject('PROVISIONING_DATADIR_CHANGE', 'config moves gateway.dataDir, where the identity and last-good config live', 'keep gateway.dataDir as it is on the gateway', version, 'addressed');
  }
  if (config.provisioning.trustedKeys.length === 0) {
    return reject('PROVISIONING_LOCKOUT', 'config has no provisioning.trustedKeys: the gateway could never be provisioned again', 'keep the fleet key paths in provisioning.trustedKeys', version, 'addressed');
  }
  return { ok: true, version, config, kid };
}
