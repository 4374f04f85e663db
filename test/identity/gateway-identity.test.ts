import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { loadOrCreateIdentity, verifySignature } from '../../agent/identity/gateway-identity.js';
import { tempDir } from '../support/tmp.js';

describe('gateway identity key on disk', () => {
  const tmp = tempDir('identity-');
  after(() => tmp.cleanup());

  it('is created whole (0600, no temp file left) and loaded again unchanged', () => {
    const dataDir = path.join(tmp.dir, 'a');
    const first = loadOrCreateIdentity(dataDir);
    const keyFile = path.join(dataDir, 'identity', 'gateway.key');
    assert.equal(statSync(keyFile).mode & 0o777, 0o600);
    assert.match(readFileSync(keyFile, 'utf8'), /BEGIN PRIVATE KEY/);
    assert.deepEqual(readdirSync(path.join(dataDir, 'identity')).sort(), ['gateway.key', 'gateway.pub']);
    const again = loadOrCreateIdentity(dataDir);
    assert.equal(again.publicKeyPem, first.publicKeyPem);
  });

  it('replaces an empty key (a first write torn by a power cut) instead of never starting', () => {
    const dataDir = path.join(tmp.dir, 'b');
    mkdirSync(path.join(dataDir, 'identity'), { recursive: true });
    writeFileSync(path.join(dataDir, 'identity', 'gateway.key'), '');
    const id = loadOrCreateIdentity(dataDir);
    const data = Buffer.from('evidence');
    assert.ok(verifySignature(id.publicKeyPem, data, id.sign(data)));
    assert.equal(readFileSync(path.join(dataDir, 'identity', 'gateway.pub'), 'utf8'), id.publicKeyPem);
  });

  it('still refuses a key file that holds something other than a key (not silently replaced)', () => {
    const dataDir = path.join(tmp.dir, 'c');
    mkdirSync(path.join(dataDir, 'identity'), { recursive: true });
    writeFileSync(path.join(dataDir, 'identity', 'gateway.key'), 'not a key');
    assert.throws(() => loadOrCreateIdentity(dataDir), /IDENTITY_UNAVAILABLE|cannot load or create the gateway key/);
  });
});
