import { createHash, sign, verify, type KeyObject } from 'node:crypto';
import type { FlattenedJws } from '../contract/index.js';
import { AgentError } from '../core/errors.js';

/**
 * Signed messages are JWS in the flattened JSON serialization (RFC 7515 §7.2.2) with alg EdDSA
 * (Ed25519): `{"protected": b64url(header), "payload": b64url(claims), "signature": b64url(sig)}`.
 * The signature covers the exact base64url bytes, so no JSON canonicalisation is needed, and the
 * message stays a JSON object a broker tool can show. `typ` in the protected header says what the
 * claims are (a desired config or a command), so one can never be replayed as the other.
 */
export type JwsType = 'edge-desired-config' | 'edge-command';

export interface JwsHeader {
  alg: 'EdDSA';
  typ: JwsType;
  /** Key id: the first 16 hex digits of SHA-256 over the signer's SPKI DER public key. */
  kid: string;
}

const b64url = (b: Buffer): string => b.toString('base64url');

/** The key id the trust store and the signer agree on. */
export function keyId(publicKey: KeyObject): string {
  return createHash('sha256').update(publicKey.export({ type: 'spki', format: 'der' })).digest('hex').slice(0, 16);
}

export function signJws(claims: object, typ: JwsType, privateKey: KeyObject, kid: string): FlattenedJws {
  const header: JwsHeader = { alg: 'EdDSA', typ, kid };
  const protectedB64 = b64url(Buffer.from(JSON.stringify(header)));
  const payloadB64 = b64url(Buffer.from(JSON.stringify(claims)));
  const signature = sign(null, Buffer.from(`${protectedB64}.${payloadB64}`, 'ascii'), privateKey);
  return { protected: protectedB64, payload: payloadB64, signature: b64url(signature) };
}

export function isFlattenedJws(value: unknown): value is FlattenedJws {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return false;
  const v = value as Record<string, unknown>;
  return typeof v.protected === 'string' && typeof v.payload === 'string' && typeof v.signature === 'string';
}

const B64URL = /^[A-Za-z0-9_-]*$/;

function decodeJsonPart(part: string, what: string): unknown {
  if (!B64URL.test(part)) throw new AgentError('SIGNATURE_MALFORMED', `JWS ${what} is not base64url`, 'sign with `edge-agent provision push` or `edge-agent request`');
  try {
    return JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
  } catch {
    throw new AgentError('SIGNATURE_MALFORMED', `JWS ${what} is not base64url JSON`, 'sign with `edge-agent provision push` or `edge-agent request`');
  }
}

export interface TrustedKey {
  kid: string;
  key: KeyObject;
  source: string;
}

/**
 * Verifies a flattened JWS against the trust store and returns its claims. Throws AgentError with
 * SIGNATURE_MALFORMED, SIGNATURE_WRONG_TYPE, SIGNATURE_NO_TRUSTED_KEYS or SIGNATURE_INVALID.
 */
export function verifyJws(jws: FlattenedJws, expectedTyp: JwsType, trusted: readonly TrustedKey[]): { claims: unknown; kid: string } {
  const header = decodeJsonPart(jws.protected, 'header') as Partial<JwsHeader> | null;
  if (!header || typeof header !== 'object' || header.alg !== 'EdDSA') {
    throw new AgentError('SIGNATURE_MALFORMED', 'JWS header must have alg "EdDSA"', 'sign with an Ed25519 fleet key');
  }
  if (header.typ !== expectedTyp) {
    throw new AgentError('SIGNATURE_WRONG_TYPE', `JWS typ is "${String(header.typ)}", expected "${expectedTyp}"`, 'a signed command cannot be used as a config, nor the reverse');
  }
  if (!B64URL.test(jws.signature)) throw new AgentError('SIGNATURE_MALFORMED', 'JWS signature is not base64url', 'sign with an Ed25519 fleet key');
  if (trusted.length === 0) {
    throw new AgentError('SIGNATURE_NO_TRUSTED_KEYS', 'no trusted fleet keys are configured', 'list fleet public keys in provisioning.trustedKeys (or the bootstrap file)');
  }
  const signed = Buffer.from(`${jws.protected}.${jws.payload}`, 'ascii');
  const sig = Buffer.from(jws.signature, 'base64url');
  // Try the key the header names first; an unknown kid still gets the whole (small) store.
  const ordered = [...trusted].sort((a, b) => Number(b.kid === header.kid) - Number(a.kid === header.kid));
  for (const t of ordered) {
    let ok = false;
    try {
      ok = verify(null, signed, t.key, sig);
    } catch {
      ok = false;
    }
    if (ok) return { claims: decodeJsonPart(jws.payload, 'payload'), kid: t.kid };
  }
  throw new AgentError('SIGNATURE_INVALID', 'the signature does not verify against any trusted fleet key', 'sign with a fleet key whose public key is in provisioning.trustedKeys');
}
