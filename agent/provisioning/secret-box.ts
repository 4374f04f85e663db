import { createCipheriv, createDecipheriv, createHash, createPrivateKey, createPublicKey, diffieHellman, generateKeyPairSync, hkdfSync, randomBytes, type KeyObject } from 'node:crypto';
import { AgentError } from '../core/errors.js';

/**
 * Secrets in a pushed config may be encrypted to the gateway, so the broker and anyone reading the
 * retained message never see them: ECIES over X25519 with HKDF-SHA256 and AES-256-GCM.
 *
 * The gateway's X25519 key is derived from its Ed25519 identity key with the standard birational
 * map (RFC 7748 / RFC 8032: private scalar = clamped SHA-512(seed)[0..32]; public u = (1+y)/(1-y)),
 * so the operator needs only the Ed25519 public key the gateway already publishes in `status`.
 *
 * Wire form, in place of any secret value: {"encrypted": {"alg": "X25519-HKDF-SHA256-A256GCM",
 * "epk": b64url(ephemeral X25519 public, 32 bytes), "iv": b64url(12 bytes), "ct": b64url, "tag": b64url(16 bytes)}}
 * key = HKDF-SHA256(ikm = X25519(ephemeral, gateway), salt = epk || gatewayX25519Pub, info = "edge-agent secret v1")
 */
export const SECRET_ALG = 'X25519-HKDF-SHA256-A256GCM';
const INFO = Buffer.from('edge-agent secret v1');

export interface EncryptedSecret {
  encrypted: { alg: typeof SECRET_ALG; epk: string; iv: string; ct: string; tag: string };
}

const P = (1n << 255n) - 19n;

function modPow(base: bigint, exp: bigint, mod: bigint): bigint {
  let result = 1n;
  let b = base % mod;
  let e = exp;
  while (e > 0n) {
    if (e & 1n) result = (result * b) % mod;
    b = (b * b) % mod;
    e >>= 1n;
  }
  return result;
}

const leToBigInt = (b: Buffer): bigint => BigInt(`0x${Buffer.from(b).reverse().toString('hex') || '0'}`);
function bigIntToLe32(n: bigint): Buffer {
  return Buffer.from(n.toString(16).padStart(64, '0'), 'hex').reverse();
}

/**
 * The raw 32 bytes of an Ed25519/X25519 key: the tail of its SPKI (public) or PKCS#8 (private) DER.
 * Not through a JWK export: Node 20 holds the key's mutex while it builds the JWK's strings, and a
 * garbage collection then that frees the key's generation job locks the same mutex — the thread
 * deadlocks (a key from generateKeyPairSync, exported in a loop under GC pressure, hangs every time).
 */
export function rawKey(key: KeyObject): Buffer {
  const der = key.type === 'private' ? key.export({ format: 'der', type: 'pkcs8' }) : key.export({ format: 'der', type: 'spki' });
  return der.subarray(der.length - 32);
}

/** Ed25519 public key (raw 32 bytes) -> X25519 public key (raw 32 bytes): u = (1 + y) / (1 - y) mod p. */
export function ed25519PublicToX25519(edPublic: KeyObject): Buffer {
  if (edPublic.asymmetricKeyType !== 'ed25519' || edPublic.type !== 'public') {
    throw new AgentError('SECRET_KEY_INVALID', 'not an Ed25519 public key', 'use the gateway public key from its status message');
  }
  const yBytes = Buffer.from(rawKey(edPublic));
  yBytes[31] &= 0x7f;
  const y = leToBigInt(yBytes);
  const u = ((1n + y) * modPow((1n - y + P) % P, P - 2n, P)) % P;
  return bigIntToLe32(u);
}

/** The gateway's X25519 private key derived from its Ed25519 private key. */
export function ed25519PrivateToX25519(edPrivate: KeyObject): KeyObject {
  if (edPrivate.asymmetricKeyType !== 'ed25519' || edPrivate.type !== 'private') {
    throw new AgentError('SECRET_KEY_INVALID', 'not an Ed25519 private key', 'the gateway key (identity/gateway.key) must be Ed25519');
  }
  const seed = rawKey(edPrivate);
  const h = createHash('sha512').update(seed).digest().subarray(0, 32);
  h[0] &= 248;
  h[31] &= 127;
  h[31] |= 64;
  // PKCS#8 wrapper for a raw X25519 private key (RFC 8410); Node derives the public half.
  return createPrivateKey({ key: Buffer.concat([X25519_PKCS8_PREFIX, h]), format: 'der', type: 'pkcs8' });
}

const X25519_PKCS8_PREFIX = Buffer.from('302e020100300506032b656e04220420', 'hex');

const X25519_SPKI_PREFIX = Buffer.from('302a300506032b656e032100', 'hex');

function x25519PublicKey(raw: Buffer): KeyObject {
  return createPublicKey({ key: Buffer.concat([X25519_SPKI_PREFIX, raw]), format: 'der', type: 'spki' });
}

function deriveKey(shared: Buffer, epk: Buffer, recipient: Buffer): Buffer {
  return Buffer.from(hkdfSync('sha256', shared, Buffer.concat([epk, recipient]), INFO, 32));
}

/** Operator side: encrypt one secret to a gateway, given its Ed25519 public key (PEM). */
export function encryptSecret(plaintext: string, gatewayPublicKeyPem: string): EncryptedSecret {
  const recipient = ed25519PublicToX25519(createPublicKey(gatewayPublicKeyPem));
  const eph = generateKeyPairSync('x25519');
  const epk = rawKey(eph.publicKey);
  const shared = diffieHellman({ privateKey: eph.privateKey, publicKey: x25519PublicKey(recipient) });
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', deriveKey(shared, epk, recipient), iv);
  const ct = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return { encrypted: { alg: SECRET_ALG, epk: epk.toString('base64url'), iv: iv.toString('base64url'), ct: ct.toString('base64url'), tag: cipher.getAuthTag().toString('base64url') } };
}

const undecryptable = (path: string): AgentError =>
  new AgentError('SECRET_UNDECRYPTABLE', `the encrypted secret at ${path} cannot be decrypted by this gateway`, 'encrypt it to this gateway\'s public key (from its status message)');

/** Gateway side: decrypt one secret with the gateway's X25519 private key. */
export function decryptSecret(secret: EncryptedSecret['encrypted'], x25519Private: KeyObject, path = '$'): string {
  try {
    if (secret.alg !== SECRET_ALG) throw new Error('alg');
    const epk = Buffer.from(secret.epk, 'base64url');
    const iv = Buffer.from(secret.iv, 'base64url');
    const tag = Buffer.from(secret.tag, 'base64url');
    if (epk.length !== 32 || iv.length !== 12 || tag.length !== 16) throw new Error('sizes');
    const recipient = rawKey(createPublicKey(x25519Private));
    const shared = diffieHellman({ privateKey: x25519Private, publicKey: x25519PublicKey(epk) });
    const decipher = createDecipheriv('aes-256-gcm', deriveKey(shared, epk, recipient), iv);
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(Buffer.from(secret.ct, 'base64url')), decipher.final()]).toString('utf8');
  } catch {
    // Never say more: the reason could help an attacker probe, and nothing of the secret may leak.
    throw undecryptable(path);
  }
}

function isEncryptedSecret(v: unknown): v is EncryptedSecret {
  if (!v || typeof v !== 'object' || Array.isArray(v)) return false;
  const keys = Object.keys(v);
  if (keys.length !== 1 || keys[0] !== 'encrypted') return false;
  const e = (v as { encrypted: unknown }).encrypted;
  if (!e || typeof e !== 'object') return false;
  const r = e as Record<string, unknown>;
  return ['alg', 'epk', 'iv', 'ct', 'tag'].every((k) => typeof r[k] === 'string');
}

/** A deep copy of a pushed config with every {"encrypted": ...} replaced by its plaintext. */
export function decryptSecretsIn(value: unknown, x25519Private: KeyObject, path = '$'): unknown {
  if (isEncryptedSecret(value)) return decryptSecret(value.encrypted, x25519Private, path);
  if (Array.isArray(value)) return value.map((v, i) => decryptSecretsIn(v, x25519Private, `${path}[${i}]`));
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = decryptSecretsIn(v, x25519Private, path === '$' ? k : `${path}.${k}`);
    return out;
  }
  return value;
}

const SECRET_FIELDS = new Set(['password']);

/** Operator side: encrypt every inline string `password` in a config to the gateway. */
export function encryptSecretsIn(value: unknown, gatewayPublicKeyPem: string): unknown {
  if (Array.isArray(value)) return value.map((v) => encryptSecretsIn(v, gatewayPublicKeyPem));
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      out[k] = SECRET_FIELDS.has(k) && typeof v === 'string' ? encryptSecret(v, gatewayPublicKeyPem) : encryptSecretsIn(v, gatewayPublicKeyPem);
    }
    return out;
  }
  return value;
}
