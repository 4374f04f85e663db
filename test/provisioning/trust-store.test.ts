import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { generateFleetKeys } from '../../agent/provisioning/operator/fleet-keys.js';
import { loadTrustStore } from '../../agent/provisioning/trust-store.js';
import { tempDir } from '../support/tmp.js';

describe('provisioning: trust store files and folders', () => {
  const tmp = tempDir('trust-');
  after(() => tmp.cleanup());

  it('loads every *.pub / *.pem of a folder (the root-owned trusted-keys folder), and refuses an empty one', () => {
    const folder = path.join(tmp.dir, 'trusted-keys');
    const a = generateFleetKeys(path.join(tmp.dir, 'a'));
    const b = generateFleetKeys(path.join(tmp.dir, 'b'));
    mkdirSync(folder);
    copyFileSync(a.pubFile, path.join(folder, 'a.pub'));
    copyFileSync(b.pubFile, path.join(folder, 'b.pem'));
    writeFileSync(path.join(folder, 'README'), 'not a key');
    assert.deepEqual(loadTrustStore([folder]).map((k) => k.kid), [a.kid, b.kid]);
    const empty = path.join(tmp.dir, 'empty');
    mkdirSync(empty);
    assert.throws(() => loadTrustStore([empty]), { code: 'TRUST_KEY_UNREADABLE' });
  });
});
