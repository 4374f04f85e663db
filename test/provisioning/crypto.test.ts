import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { writeFileAtomic } from '../../agent/core/atomic-file.js';
import { configHash } from '../../agent/provisioning/config-hash.js';
import { ed25519PrivateToX25519, ed25519PublicToX25519, decryptSecret, encryptSecret, rawKey } from '../../agent/provisioning/secret-box.js';
import { tempDir } from '../support/tmp.js';

describe('provisioning: crypto and storage building blocks', function () {
  it('derives the same X25519 public key from the Ed25519 private key as from the Ed25519 public key', () => {
    for (let i = 0; i < 25; i++) {
      const { privateKey, publicKey } = generateKeyPairSync('ed25519');
      const fromPrivate = rawKey(createPublicKey(ed25519PrivateToX25519(privateKey)));
      assert.ok(fromPrivate.equals(ed25519PublicToX25519(publicKey)), `key ${i}`);
    }
  });

  it('reads raw keys without a JWK export, which deadlocks Node 20 under garbage collection (fresh keys in a loop, a small young generation)', function () {
    this.timeout(60000);
    // Node 20 holds a key's mutex while building a JWK's strings; a GC then that frees the key's
    // generation job locks it again: the thread hangs for good (this loop through JWK exports hung in
    // 3 of 3 runs within a second). Run in a child with a deadline, so a hang fails instead of stalling mocha.
    const script = [
      `const sb = require(${JSON.stringify(path.resolve(__dirname, '../../agent/provisioning/secret-box.ts'))});`,
      "const { generateKeyPairSync } = require('node:crypto');",
      'const until = Date.now() + 3000; let n = 0;',
      'while (Date.now() < until) { const k = generateKeyPairSync(\'ed25519\'); sb.ed25519PublicToX25519(k.publicKey); sb.rawKey(sb.ed25519PrivateToX25519(k.privateKey)); n++; }',
      'console.log(n);',
    ].join('\n');
    const run = spawnSync(process.execPath, ['--max-semi-space-size=1', '--import', 'tsx', '-e', script], { encoding: 'utf8', timeout: 45000 });
    assert.equal(run.signal, null, `hung (killed after 45 s): ${run.stderr}`);
    assert.equal(run.status, 0, run.stderr);
    assert.ok(Number(run.stdout.trim()) > 100, `keys converted: ${run.stdout}`);
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
