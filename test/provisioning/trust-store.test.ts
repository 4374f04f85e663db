import assert from 'node:assert/strict';
import { chmodSync, chownSync, copyFileSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { generateFleetKeys } from '../../agent/provisioning/operator/fleet-keys.js';
import { loadTrustStore } from '../../agent/provisioning/trust-store.js';
import { tempDir } from '../support/tmp.js';
import { loadKeysAs } from './support/load-keys-as.js';

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

  describe('as the service user (a non-root uid), keys it could change are refused: TRUST_KEY_WRITABLE', () => {
    const SERVICE = 65534; // nobody: stands in for edge-agent (tests run as root, who may change anything)
    const asService = (...paths: string[]): ReturnType<typeof loadKeysAs> => loadKeysAs(SERVICE, SERVICE, 'trust', ...paths);
    let fleet: ReturnType<typeof generateFleetKeys>;
    /** A folder under tmp (root-owned, 0755 unless told) holding fleet.pub (root-owned 0644 unless told). */
    const keyFolder = (name: string, folder: { uid?: number; gid?: number; mode?: number } = {}, key: { uid?: number; mode?: number } = {}): string => {
      const dir = path.join(tmp.dir, name);
      mkdirSync(dir, { recursive: true });
      copyFileSync(fleet.pubFile, path.join(dir, 'fleet.pub'));
      chownSync(path.join(dir, 'fleet.pub'), key.uid ?? 0, 0);
      chmodSync(path.join(dir, 'fleet.pub'), key.mode ?? 0o644);
      chownSync(dir, folder.uid ?? 0, folder.gid ?? 0);
      chmodSync(dir, folder.mode ?? 0o755);
      return dir;
    };

    before(() => {
      chmodSync(tmp.dir, 0o755); // mkdtemp's 0700 would stop the user before the folders under test
      fleet = generateFleetKeys(path.join(tmp.dir, 'operator'));
    });

    it('loads a root-owned key in a root-owned folder (the installed /etc/edge-agent/trusted-keys), as a folder or a file', () => {
      const dir = keyFolder('etc/trusted-keys', { gid: SERVICE, mode: 0o750 }, { mode: 0o640 });
      chownSync(path.join(dir, 'fleet.pub'), 0, SERVICE);
      assert.deepEqual(asService(dir), { kids: [fleet.kid] });
      assert.deepEqual(asService(path.join(dir, 'fleet.pub')), { kids: [fleet.kid] });
    });

    it('refuses a key file the user owns or may write', () => {
      const owned = keyFolder('owned-key', {}, { uid: SERVICE });
      assert.equal(asService(owned).code, 'TRUST_KEY_WRITABLE');
      const worldWritable = keyFolder('world-writable-key', {}, { mode: 0o666 });
      assert.equal(asService(worldWritable).code, 'TRUST_KEY_WRITABLE');
    });

    it('refuses a root-owned key in a folder the user owns (the data dir) or its group may write: it could rename it aside', () => {
      const dataDir = keyFolder('data', { uid: SERVICE, gid: SERVICE, mode: 0o750 });
      const refused = asService(dataDir);
      assert.equal(refused.code, 'TRUST_KEY_WRITABLE');
      assert.match(refused.message ?? '', new RegExp(`can write ${dataDir},`));
      const groupWritable = keyFolder('group-writable', { gid: SERVICE, mode: 0o770 });
      assert.equal(asService(groupWritable).code, 'TRUST_KEY_WRITABLE');
    });

    it('refuses a root-owned folder under one the user owns (it could rename the folder aside)', () => {
      const data = path.join(tmp.dir, 'data2');
      const trust = keyFolder('data2/provisioning/trust');
      chownSync(data, SERVICE, SERVICE);
      const refused = asService(trust);
      assert.equal(refused.code, 'TRUST_KEY_WRITABLE');
      assert.match(refused.message ?? '', new RegExp(`can write ${data},`));
    });

    it('refuses a root-owned link whose key the user may write', () => {
      const userKey = keyFolder('user-key', {}, { uid: SERVICE });
      const links = path.join(tmp.dir, 'links');
      mkdirSync(links);
      symlinkSync(path.join(userKey, 'fleet.pub'), path.join(links, 'fleet.pub'));
      assert.equal(asService(links).code, 'TRUST_KEY_WRITABLE');
    });

    it('as root (a development box) loads a key whatever its owner', () => {
      assert.deepEqual(loadTrustStore([keyFolder('root-run', {}, { uid: SERVICE })]).map((k) => k.kid), [fleet.kid]);
    });
  });
});
