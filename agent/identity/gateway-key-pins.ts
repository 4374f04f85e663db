import { createHash, createPublicKey } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { isSafeName } from '../contract/index.js';
import { AgentError } from '../core/errors.js';
import { writeFileAtomic } from '../core/atomic-file.js';

/** What happened to a key a gateway's `status` offered. */
export type KeyOffer =
  | { kind: 'pinned'; fingerprint: string } // first seen: now pinned
  | { kind: 'same' }
  | { kind: 'mismatch'; pinned: string; offered: string; savedAs: string } // fingerprints; the offered key kept aside
  | { kind: 'invalid'; reason: string };

/** First 16 hex of SHA-256 over the SPKI DER: the same id `edge-agent keys generate` prints for fleet keys. */
export function keyFingerprint(pem: string): string {
  return createHash('sha256').update(spkiDer(pem)).digest('hex').slice(0, 16);
}

function spkiDer(pem: string): Buffer {
  const key = createPublicKey(pem);
  if (key.asymmetricKeyType !== 'ed25519') throw new Error(`not an Ed25519 public key (${key.asymmetricKeyType ?? 'unknown'})`);
  return key.export({ type: 'spki', format: 'der' });
}

/**
 * Pinned gateway public keys, one `<gateway>.pem` per gateway in a folder (the receiver's `<out>/keys`,
 * the operator's `--gateway-keys`). A key is pinned the first time it is seen (or enrolled); a later
 * `status` with another key never replaces it: that is GATEWAY_KEY_MISMATCH, and the offered key is
 * kept in `offered/<gateway>.pem` for the operator to inspect. Only `trust()` (an explicit operator
 * action: `edge-agent receive --trust-key`) changes a pin.
 */
export class GatewayKeyPins {
  private readonly pins = new Map<string, string>();
  private readonly offered = new Map<string, string>();

  constructor(readonly dir: string) {
    mkdirSync(path.join(dir, 'offered'), { recursive: true });
    for (const [gw, pem] of readPemFolder(dir)) this.pins.set(gw, pem);
    for (const [gw, pem] of readPemFolder(path.join(dir, 'offered'))) this.offered.set(gw, pem);
  }

  get(gateway: string): string | undefined {
    return this.pins.get(gateway);
  }

  /** The last key a status offered that differs from the pinned one (files signed with it are reported as such). */
  refused(gateway: string): string | undefined {
    return this.offered.get(gateway);
  }

  gateways(): string[] {
    return [...this.pins.keys()];
  }

  /** A key from a gateway's status: pinned if it is the first, refused if it differs from the pin. */
  offer(gateway: string, pem: string): KeyOffer {
    if (!isSafeName(gateway)) return { kind: 'invalid', reason: `gateway id ${JSON.stringify(gateway)} cannot name a key file` };
    let offeredFp: string;
    try {
      offeredFp = keyFingerprint(pem);
    } catch (err) {
      return { kind: 'invalid', reason: (err as Error).message };
    }
    const pinned = this.pins.get(gateway);
    if (!pinned) {
      this.write(gateway, pem);
      return { kind: 'pinned', fingerprint: offeredFp };
    }
    if (sameKey(pinned, pem)) return { kind: 'same' };
    const savedAs = path.join(this.dir, 'offered', `${gateway}.pem`);
    if (!this.offered.has(gateway) || !sameKey(this.offered.get(gateway) ?? '', pem)) writeFileAtomic(savedAs, pem, 0o644);
    this.offered.set(gateway, pem);
    return { kind: 'mismatch', pinned: keyFingerprint(pinned), offered: offeredFp, savedAs };
  }

  /** Operator's explicit re-key: `pem` becomes the gateway's pin, whatever was pinned before. */
  trust(gateway: string, pem: string): { previous?: string; fingerprint: string } {
    if (!isSafeName(gateway)) throw new AgentError('RECEIVER_BAD_OPTION', `--trust-key: ${JSON.stringify(gateway)} is not a gateway id`, 'letters, digits, - and _');
    let fingerprint: string;
    try {
      fingerprint = keyFingerprint(pem);
    } catch (err) {
      throw new AgentError('RECEIVER_BAD_OPTION', `--trust-key ${gateway}: ${(err as Error).message}`, 'give the gateway\'s public key (PEM, SPKI), e.g. keys/offered/<gateway>.pem');
    }
    const before = this.pins.get(gateway);
    this.write(gateway, pem);
    rmSync(path.join(this.dir, 'offered', `${gateway}.pem`), { force: true });
    this.offered.delete(gateway);
    return { previous: before ? keyFingerprint(before) : undefined, fingerprint };
  }

  /**
   * Enrolment (`--gateway-keys FILE|DIR`: `<gateway>.pem` files): pins the keys of gateways not pinned yet.
   * An enrolled key that contradicts a pin is an error: changing a pin is `trust()`, never a side effect.
   */
  enrol(source: string): string[] {
    const added: string[] = [];
    for (const [gw, pem] of readEnrolment(source)) {
      const pinned = this.pins.get(gw);
      if (pinned && !sameKey(pinned, pem)) {
        throw new AgentError('GATEWAY_KEY_MISMATCH', `${source}: the key enrolled for ${gw} (${keyFingerprint(pem)}) differs from the pinned one (${keyFingerprint(pinned)}) in ${this.dir}`,
          `if ${gw} was re-keyed, pin the new key with: edge-agent receive --out <dir> --trust-key ${gw} <pem>`);
      }
      if (!pinned) {
        this.write(gw, pem);
        added.push(gw);
      }
    }
    return added;
  }

  private write(gateway: string, pem: string): void {
    writeFileAtomic(path.join(this.dir, `${gateway}.pem`), pem, 0o644);
    this.pins.set(gateway, pem);
  }
}

function sameKey(a: string, b: string): boolean {
  try {
    return spkiDer(a).equals(spkiDer(b));
  } catch {
    return false;
  }
}

/** `<gateway>.pem` files of a folder (anything else is skipped). */
function readPemFolder(dir: string): Array<[string, string]> {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((name) => name.endsWith('.pem') && isSafeName(name.slice(0, -4)))
    .map((name): [string, string] => [name.slice(0, -4), readFileSync(path.join(dir, name), 'utf8')]);
}

function readEnrolment(source: string): Array<[string, string]> {
  let entries: Array<[string, string]>;
  try {
    entries = statSync(source).isDirectory() ? readPemFolder(source) : [[path.basename(source).replace(/\.(pem|pub)$/, ''), readFileSync(source, 'utf8')]];
  } catch (err) {
    throw new AgentError('RECEIVER_BAD_OPTION', `--gateway-keys ${source}: ${(err as Error).message}`, 'a <gateway>.pem file or a folder of them');
  }
  for (const [gw, pem] of entries) {
    try {
      if (!isSafeName(gw)) throw new Error(`${gw} is not a gateway id`);
      keyFingerprint(pem);
    } catch (err) {
      throw new AgentError('RECEIVER_BAD_OPTION', `--gateway-keys ${source}: ${gw}: ${(err as Error).message}`, 'a <gateway>.pem file holding the gateway\'s Ed25519 public key (its identity/gateway.pub)');
    }
  }
  return entries;
}
