import assert from 'node:assert/strict';
import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { writeFileAtomic } from '../../agent/core/atomic-file.js';
import { configHash } from '../../agent/provisioning/config-hash.js';
import { ed25519PrivateToX25519, ed25519PublicToX25519, decryptSecret, encryptSecret } from '../../agent/provisioning/secret-box.js';
import { tempDir } from '../support/tmp.js';

describe('provisioning: crypto and storage building blocks', function () {
  it('derives the same X25519 public key from the Ed25519 private key as from the Ed25519 public key', () => {
    for (let i = 0; i < 25; i++) {
      const { privateKey, publicKey } = generateKeyPairSync('ed25519');
      const fromPrivate = Buffer.from(createPublicKey(ed25519PrivateToX25519(privateKey)).export({ format: 'jwk' }).x ?? '', 'base64url');
      assert.ok(fromPrivate.equals(ed25519PublicToX25519(publicKey)), `key ${i}`);
    }
  });

  it('encrypts a secret only its gateway can read; any tampering is refused without detail', () => {
    const gw = generateKeyPairSync('ed25519');
    const pem = gw.publicKey.export({ type: 'spki', format: 'pem' }).toString();
    const x = ed25519PrivateToX25519(gw.privateKey);
    const e = encryptSecret('pässwörd', pem).encrypted;
    assert.equal(decryptSecret(e, x), 'pässwörd');
    const flip = (s: string) => (s[0] === 'A' ? 'B' : 'A') + s.slice(1);
    for (const field of ['epk', 'iv', 'ct', 'tag'] as const) {
      assert.throws(() => decryptSecret({ ...e, [field]: flip(e[field]) }, x, 'mqtt.password'), /SECRET|cannot be decrypted by this gateway/);
    }
    const other = ed25519PrivateToX25519(generateKeyPairSync('ed25519').privateKey);
    assert.throws(() => decryptSecret(e, other), (err: Error) => !err.message.includes('pässwörd'));
  });

  it('hashes equal configs equally whatever their key order', () => {
    assert.equal(configHash({ a: 1, b: { c: [1, { d: 2, e: 3 }] } }), configHash({ b: { c: [1, { e: 3, d: 2 }] }, a: 1 }));
    assert.notEqual(configHash({ a: 1 }), configHash({ a: 2 }));
  });

  it('writes files atomically with mode 0600 and leaves no temp file', () => {
    const t = tempDir('atomic-');
    try {
      const f = path.join(t.dir, 'sub', 'x.json');
      writeFileAtomic(f, 'one');
      writeFileAtomic(f, 'two');
      assert.equal(readFileSync(f, 'utf8'), 'two');
      assert.equal(statSync(f).mode & 0o777, 0o600);
      assert.deepEqual(readdirSync(path.dirname(f)), ['x.json']);
    } finally {
      t.cleanup();
    }
  });
});
