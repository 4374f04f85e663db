import type { SignedCommandClaims } from '../contract/index.js';
import type { CommandAccess } from '../contract/index.js';
import { AgentError } from '../core/errors.js';
import { isFlattenedJws, verifyJws, type TrustedKey } from './jws.js';

/**
 * A request on `<prefix>/<gw>/request/<name>`. Read-only commands may come as plain JSON
 * `{"id", "args"?}`; commands that change anything must be a JWS (typ edge-command) whose claims are
 * {@link SignedCommandClaims}: the command name and gateway are inside the signature, so a signed
 * `camera/disable` cannot be replayed as another command or to another gateway.
 */
export interface ParsedRequest {
  id: string | null;
  args: Record<string, unknown>;
  signed?: { nonce: string; ts: number; kid: string };
}

const isPlainObject = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);

/** The id of a request even when it is otherwise unusable, so the error answer can echo it. */
export function bestEffortId(parsed: unknown): string | null {
  if (isPlainObject(parsed) && typeof parsed.id === 'string' && parsed.id.length <= 200) return parsed.id;
  return null;
}

export function parseRequest(payload: Buffer, ctx: { command: string; gatewayId: string; trusted: readonly TrustedKey[]; maxBytes: number }): ParsedRequest {
  if (payload.length > ctx.maxBytes) {
    throw new AgentError('REQUEST_TOO_LARGE', `request is ${payload.length} bytes, more than provisioning.maxMessageBytes`, 'send smaller arguments');
  }
  let outer: unknown;
  try {
    outer = JSON.parse(payload.toString('utf8'));
  } catch {
    throw new AgentError('REQUEST_MALFORMED', 'request is not JSON', 'send {"id": "...", "args": {...}} or a signed request from `edge-agent request`');
  }
  if (isFlattenedJws(outer)) {
    const { claims, kid } = verifyJws(outer, 'edge-command', ctx.trusted);
    const c = claims as Partial<SignedCommandClaims> | null;
    if (!isPlainObject(c) || typeof c.id !== 'string' || typeof c.nonce !== 'string' || c.nonce.length < 8 || c.nonce.length > 200 || typeof c.ts !== 'number' || typeof c.gateway !== 'string' || typeof c.command !== 'string' || (c.args !== undefined && !isPlainObject(c.args))) {
      throw new AgentError('REQUEST_MALFORMED', 'signed request claims need id, gateway, command, ts (ms), nonce (8..200 chars) and optional args object', 'sign it with `edge-agent request`');
    }
    if (c.gateway !== ctx.gatewayId) throw new AgentError('REQUEST_WRONG_GATEWAY', `request is signed for gateway "${c.gateway}"`, 'sign it for this gateway');
    if (c.command !== ctx.command) throw new AgentError('REQUEST_WRONG_COMMAND', `request is signed for command "${c.command}", sent to "${ctx.command}"`, 'send it to request/<the command it names>');
    return { id: c.id, args: c.args ?? {}, signed: { nonce: c.nonce, ts: c.ts, kid } };
  }
  if (!isPlainObject(outer) || typeof outer.id !== 'string' || (outer.args !== undefined && !isPlainObject(outer.args))) {
    throw new AgentError('REQUEST_MALFORMED', 'request needs a string "id" and an optional "args" object', 'send {"id": "...", "args": {...}}');
  }
  return { id: outer.id, args: (outer.args as Record<string, unknown> | undefined) ?? {} };
}

/**
 * Who may ask (the command's access in the wire contract): `read` needs a fleet or reader key's
 * signature, `control` a fleet key's (`fleet`: provisioning.trustedKeys).
 */
export function checkAccess(name: string, access: CommandAccess, req: ParsedRequest, fleet: readonly TrustedKey[]): void {
  if (access !== 'open' && !req.signed) {
    throw access === 'read'
      ? new AgentError('COMMAND_UNSIGNED', `${name} reads footage or costs the gateway and must be signed by a fleet or reader key`, 'send it with `edge-agent request --key <fleet or reader key>`')
      : new AgentError('COMMAND_UNSIGNED', `${name} changes the gateway and must be signed by a fleet key`, 'send it with `edge-agent request --key fleet.key`');
  }
  if (access === 'control' && !fleet.some((k) => k.kid === req.signed?.kid)) {
    throw new AgentError('COMMAND_NOT_PERMITTED', `${name} changes the gateway: a reader key may not sign it`, 'sign it with a fleet key (provisioning.trustedKeys)');
  }
}

/** The request id to echo, even from a request that will be refused (unverified: only echoed). */
export function requestIdOf(payload: Buffer, maxBytes: number): string | null {
  if (payload.length > maxBytes) return null;
  try {
    const outer: unknown = JSON.parse(payload.toString('utf8'));
    if (outer && typeof outer === 'object' && typeof (outer as { payload?: unknown }).payload === 'string') {
      return bestEffortId(JSON.parse(Buffer.from((outer as { payload: string }).payload, 'base64url').toString('utf8')));
    }
    return bestEffortId(outer);
  } catch {
    return null;
  }
}
