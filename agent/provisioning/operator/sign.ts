import { randomBytes, randomUUID } from 'node:crypto';
import type { DesiredConfigClaims, FlattenedJws, SignedCommandClaims } from '../../contract/index.js';
import { signJws } from '../jws.js';
import type { FleetKey } from './fleet-keys.js';

/** The retained `config/desired` message for a gateway. */
export function signDesiredConfig(key: FleetKey, claims: { gateway: string; version: number; config: unknown; issuedAt?: string; expiresAt?: string }): FlattenedJws {
  const full: DesiredConfigClaims = {
    gateway: claims.gateway,
    version: claims.version,
    issuedAt: claims.issuedAt ?? new Date().toISOString(),
    ...(claims.expiresAt !== undefined ? { expiresAt: claims.expiresAt } : {}),
    config: claims.config,
  };
  return signJws(full, 'edge-desired-config', key.privateKey, key.kid);
}

/** A signed request for `request/<command>`, fresh (new nonce, now) unless told otherwise. */
export function signCommand(key: FleetKey, c: { gateway: string; command: string; args?: Record<string, unknown>; id?: string; ts?: number; nonce?: string }): FlattenedJws {
  const claims: SignedCommandClaims = {
    id: c.id ?? randomUUID(),
    gateway: c.gateway,
    command: c.command,
    args: c.args ?? {},
    ts: c.ts ?? Date.now(),
    nonce: c.nonce ?? randomBytes(16).toString('base64url'),
  };
  return signJws(claims, 'edge-command', key.privateKey, key.kid);
}
