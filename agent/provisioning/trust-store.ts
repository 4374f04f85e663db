import { createPublicKey } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { AgentError } from '../core/errors.js';
import { keyId, type TrustedKey } from './jws.js';

/**
 * The key files a provisioning.trustedKeys / readerKeys entry names: the file itself, or every `*.pub`
 * / `*.pem` in a folder (the root-owned /etc/edge-agent/trusted-keys the installer creates), sorted.
 */
function keyFiles(entry: string): string[] {
  let isDir = false;
  try {
    isDir = statSync(entry).isDirectory();
  } catch { /* read below, for the error */ }
  if (!isDir) return [entry];
  const files = readdirSync(entry).filter((f) => /\.(pub|pem)$/.test(f)).sort().map((f) => path.join(entry, f));
  if (!files.length) throw new AgentError('TRUST_KEY_UNREADABLE', `trusted key folder ${entry} holds no *.pub or *.pem file`, 'put the fleet.pub from `edge-agent keys generate` in it');
  return files;
}

/** Loads the Ed25519 public keys (PEM SPKI) named by files or folders (provisioning.trustedKeys, readerKeys). */
export function loadTrustStore(paths: readonly string[]): TrustedKey[] {
  return paths.flatMap(keyFiles).map((file) => {
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
