import { createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { AgentError } from '../core/errors.js';
import { writeFileAtomic } from '../core/atomic-file.js';

/**
 * The gateway's own Ed25519 key pair, created on first start under dataDir/identity (mode 0600).
 * It signs clip and snapshot metadata (so the central side can prove where evidence came from) and
 * receives secrets encrypted to it during provisioning. The public key is published in `status`.
 */
export interface GatewayIdentity {
  publicKeyPem: string;
  privateKey: KeyObject;
  sign(data: Buffer): string;
}

export function loadOrCreateIdentity(dataDir: string): GatewayIdentity {
  const dir = path.join(dataDir, 'identity');
  const keyFile = path.join(dir, 'gateway.key');
  const pubFile = path.join(dir, 'gateway.pub');
  let privateKey: KeyObject;
  try {
    if (hasContent(keyFile)) {
      privateKey = createPrivateKey(readFileSync(keyFile));
    } else {
      // No key yet, or an empty one: a first write torn by a power cut before this writer was atomic.
      // Nothing can be signed or decrypted with an empty key, so a new one is the only way forward.
      const pair = generateKeyPairSync('ed25519');
      privateKey = pair.privateKey;
      // Temp file, fsync, rename, fsync folder: a power cut leaves no key or the whole key, never an empty one.
      writeFileAtomic(keyFile, privateKey.export({ type: 'pkcs8', format: 'pem' }), 0o600);
      writeFileAtomic(pubFile, pair.publicKey.export({ type: 'spki', format: 'pem' }), 0o644);
    }
  } catch (err) {
    throw new AgentError('IDENTITY_UNAVAILABLE', `cannot load or create the gateway key in ${dir}: ${(err as Error).message}`, 'check that gateway.dataDir is writable by the agent user', { cause: err });
  }
  const publicKeyPem = createPublicKey(privateKey).export({ type: 'spki', format: 'pem' }).toString();
  return { publicKeyPem, privateKey, sign: (data) => sign(null, data, privateKey).toString('base64') };
}

function hasContent(file: string): boolean {
  try {
    return statSync(file).size > 0;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw err;
  }
}

/** Verifies a base64 Ed25519 signature against a PEM public key (the receiver's side). */
export function verifySignature(publicKeyPem: string, data: Buffer, signatureB64: string): boolean {
  try {
    return verify(null, data, createPublicKey(publicKeyPem), Buffer.from(signatureB64, 'base64'));
  } catch {
    return false;
  }
}
