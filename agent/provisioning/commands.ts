import { Type, type Static, type TSchema } from '@sinclair/typebox';
import Ajv from 'ajv';
import type { AgentConfig } from '../config/schema/index.js';
import { redactSecrets } from '../config/secrets.js';
import { AgentError } from '../core/errors.js';
import type { CommandLimit } from './command-limits.js';
import { configHash } from './config-hash.js';
import type { CommandData, ProvisioningHost } from './host.js';

export interface CommandContext {
  host: ProvisioningHost;
  running(): { config: AgentConfig; version: number };
}

/**
 * Who may ask: `open` unsigned (nothing but the redacted config); `read` signed by a fleet or a
 * reader key (reads footage or costs the box); `control` signed by a fleet key (changes the gateway).
 * Every signed command must be fresh (nonce + timestamp).
 */
export type CommandAccess = 'open' | 'read' | 'control';

interface CommandSpec<S extends TSchema> {
  access: CommandAccess;
  /** Rate and concurrency cap for commands that cost the box. */
  limit?: CommandLimit;
  args: S;
  run(args: Static<S>, ctx: CommandContext): Promise<CommandData>;
  /** Runs after the answer was published (restart must answer before it goes). */
  after?(ctx: CommandContext): Promise<void>;
}

const CameraArgs = Type.Object({ camera: Type.String({ minLength: 1, maxLength: 64 }) }, { additionalProperties: false });
/** Epoch milliseconds or an ISO 8601 time. */
const Instant = Type.Union([Type.Number(), Type.String({ minLength: 1, maxLength: 64 })]);
const ClipArgs = Type.Object({ camera: Type.String({ minLength: 1, maxLength: 64 }), from: Instant, to: Instant }, { additionalProperties: false });
const NoArgs = Type.Object({}, { additionalProperties: false });

function knownCamera(ctx: CommandContext, id: string): void {
  if (!ctx.running().config.cameras.some((c) => c.id === id)) {
    throw new AgentError('CAMERA_UNKNOWN', `no camera "${id}" in the running configuration`, 'use a camera id from config/get');
  }
}

function toMs(v: number | string, name: string): number {
  const ms = typeof v === 'number' ? v : Date.parse(v);
  if (!Number.isFinite(ms)) throw new AgentError('COMMAND_BAD_ARGS', `${name} is not a time (epoch ms or ISO 8601)`, 'e.g. "2026-01-01T12:00:00Z"');
  return ms;
}

function spec<S extends TSchema>(s: CommandSpec<S>): CommandSpec<S> {
  return s;
}

export const COMMANDS = {
  'config/get': spec({
    access: 'open',
    args: NoArgs,
    run: async (_a, ctx) => {
      const { config, version } = ctx.running();
      const redacted = redactSecrets(config);
      return { version, configHash: configHash(redacted), config: redacted };
    },
  }),
  'camera/enable': spec({
    access: 'control',
    args: CameraArgs,
    run: async (a, ctx) => (knownCamera(ctx, a.camera), await ctx.host.setCameraEnabled(a.camera, true), { camera: a.camera, enabled: true }),
  }),
  'camera/disable': spec({
    access: 'control',
    args: CameraArgs,
    run: async (a, ctx) => (knownCamera(ctx, a.camera), await ctx.host.setCameraEnabled(a.camera, false), { camera: a.camera, enabled: false }),
  }),
  snapshot: spec({
    access: 'read',
    limit: { perMinute: 12 },
    args: CameraArgs,
    run: async (a, ctx) => (knownCamera(ctx, a.camera), ctx.host.snapshot(a.camera)),
  }),
  clip: spec({
    access: 'read',
    limit: { perMinute: 6 },
    args: ClipArgs,
    run: async (a, ctx) => {
      knownCamera(ctx, a.camera);
      const from = toMs(a.from, 'from');
      const to = toMs(a.to, 'to');
      const maxMs = ctx.running().config.clips.maxSeconds * 1000;
      if (to <= from) throw new AgentError('COMMAND_BAD_ARGS', '"to" must be after "from"', 'swap them');
      if (to - from > maxMs) throw new AgentError('CLIP_TOO_LONG', `clip is longer than clips.maxSeconds (${maxMs / 1000} s)`, 'ask for a shorter span');
      // A clip of the future waits for the recording: at most one clip length ahead, so waits stay bounded.
      if (to - Date.now() > maxMs) throw new AgentError('COMMAND_TOO_FAR_AHEAD', `"to" is more than clips.maxSeconds (${maxMs / 1000} s) in the future`, 'ask for a clip that ends sooner, or ask again later');
      return ctx.host.requestClip(a.camera, from, to);
    },
  }),
  diag: spec({ access: 'read', limit: { perMinute: 2, concurrent: 1 }, args: NoArgs, run: async (_a, ctx) => ctx.host.diag() }),
  restart: spec({
    access: 'control',
    args: NoArgs,
    run: async () => ({ restarting: true }),
    after: async (ctx) => ctx.host.restart(),
  }),
};

export type CommandName = keyof typeof COMMANDS;

export function isCommandName(name: string): name is CommandName {
  return Object.prototype.hasOwnProperty.call(COMMANDS, name);
}

const ajv = new Ajv({ allErrors: false, strict: false });
const validators = new Map(Object.entries(COMMANDS).map(([name, s]) => [name, ajv.compile(s.args as TSchema)]));

export function checkArgs(name: CommandName, args: Record<string, unknown>): void {
  const validate = validators.get(name);
  if (validate && !validate(args)) {
    const e = validate.errors?.[0];
    throw new AgentError('COMMAND_BAD_ARGS', `args${e?.instancePath ?? ''} ${e?.message ?? 'invalid'}`, `see docs/provisioning.md for the arguments of ${name}`);
  }
}
