import assert from 'node:assert/strict';
import { ReplayGuard } from '../../agent/provisioning/replay-guard.js';
import { tempDir } from '../support/tmp.js';

describe('provisioning: replay guard on an injected clock', () => {
  const tmp = tempDir('replay-');
  after(() => tmp.cleanup());
  const code = (f: () => void): string | undefined => {
    try {
      f();
      return undefined;
    } catch (err) {
      return (err as { code?: string }).code;
    }
  };

  it('refuses a command older than the signer\'s newest by more than the skew once the clock is set back, also after a restart', () => {
    let now = 1_000_000_000;
    const skew = () => 60_000;
    const guard = new ReplayGuard(tmp.dir, skew, () => now);
    guard.check('k1', 'nonce-old', now);
    now += 3600_000; // an hour later the signer sends another command: the old nonce may be forgotten
    guard.check('k1', 'nonce-new', now);
    now -= 3600_000; // clock set back to when the first command was signed
    assert.equal(code(() => guard.check('k1', 'nonce-old', now)), 'COMMAND_OUT_OF_ORDER');
    const restarted = new ReplayGuard(tmp.dir, skew, () => now);
    assert.equal(code(() => restarted.check('k1', 'nonce-old', now)), 'COMMAND_OUT_OF_ORDER');
    // Another signer has its own mark; the newest command itself stays a replay while it is within the window.
    assert.equal(code(() => restarted.check('k2', 'nonce-k2', now)), undefined);
    now += 3600_000;
    assert.equal(code(() => restarted.check('k1', 'nonce-new', now)), 'COMMAND_REPLAYED');
    now += 10 * 3600_000; // the clock runs ahead and another signer's command is checked (nonces are pruned) ...
    restarted.check('k2', 'nonce-k2-later', now);
    now -= 10 * 3600_000; // ... and back: the clock alone never forgets k1's newest nonce
    assert.equal(code(() => restarted.check('k1', 'nonce-new', now)), 'COMMAND_REPLAYED');
  });
});
