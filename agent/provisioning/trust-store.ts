import { createPublicKey } from 'node:crypto';
import { accessSync, constants, lstatSync, readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
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

/** Whether this process could change `p` itself: it owns it, or may write it. */
function writable(p: string, uid: number): boolean {
  if (lstatSync(p).uid === uid) return true;
  try {
    accessSync(p, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * Why this (non-root) process could change the key in `file`, or undefined: it could write the file, or a
 * folder on its path (there it could rename the file or a folder aside and put its own in place; a sticky
 * folder such as /tmp only lets it do so with its own entries). Both the path as named and the file it
 * resolves to are checked. Root is not checked: root can change anything, and an agent run as root is a
 * development box; the installed service runs as its own user.
 */
function writableBySelf(file: string): string | undefined {
  const uid = process.getuid?.();
  if (uid === undefined || uid === 0) return undefined;
  for (const p of new Set([path.resolve(file), realpathSync(file)])) {
    if (writable(p, uid)) return p;
    for (let child = p, dir = path.dirname(p); child !== dir; child = dir, dir = path.dirname(dir)) {
      const sticky = (lstatSync(dir).mode & 0o1000) !== 0; // S_ISVTX
      if (writable(dir, uid) && !(sticky && lstatSync(dir).uid !== uid && lstatSync(child).uid !== uid)) return dir;
    }
  }
  return undefined;
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
    const changeable = writableBySelf(file);
    if (changeable) {
      throw new AgentError('TRUST_KEY_WRITABLE', `trusted key ${file} is refused: this agent's user can write ${changeable}, so a compromised camera process could add or replace a fleet key`,
        'put fleet.pub in the root-owned /etc/edge-agent/trusted-keys (`install.sh --trusted-key fleet.pub`) and name that folder in trustedKeys (inline bootstrap keys land in the writable data dir)');
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
