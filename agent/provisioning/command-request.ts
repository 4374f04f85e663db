import type { SignedCommandClaims } from '../contract/index.js';
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
