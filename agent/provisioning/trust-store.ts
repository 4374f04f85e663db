import { createPublicKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { AgentError } from '../core/errors.js';
import { keyId, type TrustedKey } from './jws.js';

/** Loads the fleet operator public keys (PEM SPKI, Ed25519) named in provisioning.trustedKeys. */
export function loadTrustStore(paths: readonly string[]): TrustedKey[] {
  return paths.map((file) => {
    let pem: Buffer;
    try {
      pem = readFileSync(file);
    } catch (err) {
      throw new AgentError('TRUST_KEY_UNREADABLE', `cannot read trusted key ${file}: ${(err as Error).message}`, 'check provisioning.trustedKeys paths and permissions', { cause: err });
    }
    let key;
    try {
      key = createPublicKey(pem);
    } catch (err) {
      throw new AgentError('TRUST_KEY_INVALID', `trusted key ${file} is not a PEM public key`, 'use the fleet.pub written by `edge-agent keys generate`', { cause: err });
    }
    if (key.asymmetricKeyType !== 'ed25519') {
      throw new AgentError('TRUST_KEY_INVALID', `trusted key ${file} is ${key.asymmetricKeyType ?? 'unknown'}, not Ed25519`, 'use the fleet.pub written by `edge-agent keys generate`');
    }
    return { kid: keyId(key), key, source: file };
  });
}
