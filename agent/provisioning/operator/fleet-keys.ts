import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { AgentError } from '../../core/errors.js';
import { keyId } from '../jws.js';

export interface FleetKey {
  privateKey: KeyObject;
  kid: string;
}

/** Writes DIR/fleet.key (PKCS#8 PEM, 0600, never overwritten) and DIR/fleet.pub (SPKI PEM). */
export function generateFleetKeys(dir: string): { keyFile: string; pubFile: string; kid: string } {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const keyFile = path.join(dir, 'fleet.key');
  const pubFile = path.join(dir, 'fleet.pub');
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  try {
    writeFileSync(keyFile, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600, flag: 'wx' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') {
      throw new AgentError('FLEET_KEY_EXISTS', `${keyFile} already exists`, 'choose another --out folder; an existing fleet key is never overwritten');
    }
    throw err;
  }
  writeFileSync(pubFile, publicKey.export({ type: 'spki', format: 'pem' }), { mode: 0o644 });
  return { keyFile, pubFile, kid: keyId(publicKey) };
}

export function loadFleetKey(file: string): FleetKey {
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(readFileSync(file));
  } catch (err) {
    throw new AgentError('FLEET_KEY_UNREADABLE', `cannot read the fleet private key ${file}: ${(err as Error).message}`, 'pass the fleet.key written by `edge-agent keys generate`', { cause: err });
  }
  if (privateKey.asymmetricKeyType !== 'ed25519') throw new AgentError('FLEET_KEY_UNREADABLE', `${file} is not an Ed25519 key`, 'pass the fleet.key written by `edge-agent keys generate`');
  return { privateKey, kid: keyId(createPublicKey(privateKey)) };
}
