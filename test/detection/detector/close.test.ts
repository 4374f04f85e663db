import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';

describe('DetectorService.close()', function () {
  this.timeout(180000);

  it('lets a running inference finish instead of killing the process (onnxruntime aborts when its worker is terminated mid-run)', () => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(__dirname, 'support/close-during-inference.ts')], { encoding: 'utf8', timeout: 170000 });
    assert.equal(r.signal, null, `the process was killed by ${r.signal}: ${r.stderr.slice(-800)}`);
    assert.equal(r.status, 0, r.stderr.slice(-800));
    assert.match(r.stdout, /survived/);
  });
});
