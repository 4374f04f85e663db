import { Type, type Static, type TSchema } from '@sinclair/typebox';

const CameraId = Type.String({ minLength: 1, maxLength: 64, description: 'camera id from the running config' });
const CameraArgs = Type.Object({ camera: CameraId }, { additionalProperties: false });
/** Epoch milliseconds or an ISO 8601 time. */
const Instant = Type.Union([Type.Number(), Type.String({ minLength: 1, maxLength: 64 })], { description: 'epoch ms or ISO 8601' });
const ClipArgs = Type.Object({ camera: CameraId, from: Instant, to: Instant }, { additionalProperties: false, description: 'at most clips.maxSeconds long' });
const NoArgs = Type.Object({}, { additionalProperties: false });

/**
 * Who may ask: `open` unsigned (nothing but the redacted config); `read` signed by a fleet or a reader
 * key (reads footage or costs the box); `control` signed by a fleet key (changes the gateway). Every
 * signed command must be fresh (nonce + timestamp).
 */
export type CommandAccess = 'open' | 'read' | 'control';

export interface CommandSpec<S extends TSchema = TSchema> {
  access: CommandAccess;
  /** The request's `args`. */
  args: S;
  /** What `data` of an ok answer holds. */
  answers: string;
}

const spec = <S extends TSchema>(s: CommandSpec<S>): CommandSpec<S> => s;

/** Every command a gateway answers on `request/<name>`: the wire half (provisioning/commands.ts runs them). */
export const COMMAND_SPECS = {
  'config/get': spec({ access: 'open', args: NoArgs, answers: '`{version, configHash, config}` (secrets redacted)' }),
  'camera/enable': spec({ access: 'control', args: CameraArgs, answers: '`{camera, enabled}` (runtime state until the next push)' }),
  'camera/disable': spec({ access: 'control', args: CameraArgs, answers: '`{camera, enabled}` (runtime state until the next push)' }),
  snapshot: spec({ access: 'read', args: CameraArgs, answers: '`{clipId, bytes, topic}`: the JPEG follows on `clips/<clipId>/…`' }),
  clip: spec({ access: 'read', args: ClipArgs, answers: '`{clipId, topic}`: the MP4 follows on `clips/<clipId>/…`' }),
  diag: spec({ access: 'read', args: NoArgs, answers: 'the diag report (docs/diagnostics.md)' }),
  restart: spec({ access: 'control', args: NoArgs, answers: '`{restarting: true}`, then the agent restarts in-process on its startup config (last-good, else the file)' }),
};

export type CommandName = keyof typeof COMMAND_SPECS;
export type CommandArgs<N extends CommandName> = Static<(typeof COMMAND_SPECS)[N]['args']>;
