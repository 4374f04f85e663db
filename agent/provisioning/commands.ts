import type { TSchema } from '@sinclair/typebox';
import Ajv from 'ajv';
import type { AgentConfig } from '../config/schema/index.js';
import { redactSecrets } from '../config/secrets.js';
import { COMMAND_SPECS, type CommandArgs, type CommandName } from '../contract/index.js';
import { AgentError } from '../core/errors.js';
import type { CommandLimit } from './command-limits.js';
import { configHash } from './config-hash.js';
import type { CommandData, ProvisioningHost } from './host.js';

export interface CommandContext {
  host: ProvisioningHost;
  running(): { config: AgentConfig; version: number };
}

/** How the gateway runs a command; its name, signing rule and args schema are the wire contract's. */
interface CommandRunner<N extends CommandName> {
  /** Rate and concurrency cap for commands that cost the box (all requesters together). */
  limit?: CommandLimit;
  run(args: CommandArgs<N>, ctx: CommandContext): Promise<CommandData>;
  /** Runs after the answer was published (restart must answer before it goes). */
  after?(ctx: CommandContext): Promise<void>;
}

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

const RUNNERS: { [N in CommandName]: CommandRunner<N> } = {
  'config/get': {
    run: async (_a, ctx) => {
      const { config, version } = ctx.running();
      const redacted = redactSecrets(config);
      return { version, configHash: configHash(redacted), config: redacted };
    },
  },
  'camera/enable': {
    run: async (a, ctx) => (knownCamera(ctx, a.camera), await ctx.host.setCameraEnabled(a.camera, true), { camera: a.camera, enabled: true }),
  },
  'camera/disable': {
    run: async (a, ctx) => (knownCamera(ctx, a.camera), await ctx.host.setCameraEnabled(a.camera, false), { camera: a.camera, enabled: false }),
  },
  snapshot: {
    limit: { perMinute: 12 },
    run: async (a, ctx) => (knownCamera(ctx, a.camera), ctx.host.snapshot(a.camera)),
  },
  clip: {
    limit: { perMinute: 6 },
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
  },
  diag: { limit: { perMinute: 2, concurrent: 1 }, run: async (_a, ctx) => ctx.host.diag() },
  restart: {
    run: async () => ({ restarting: true }),
    after: async (ctx) => ctx.host.restart(),
  },
};

/** Each command: its wire spec (access, args) with the gateway's runner. */
export const COMMANDS = Object.fromEntries(
  (Object.keys(COMMAND_SPECS) as CommandName[]).map((name) => [name, { ...COMMAND_SPECS[name], ...RUNNERS[name] }]),
) as { [N in CommandName]: (typeof COMMAND_SPECS)[N] & CommandRunner<N> };

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
