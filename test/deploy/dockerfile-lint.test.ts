import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT, tempDir } from '../support/tmp.js';

const LINT = path.join(REPO_ROOT, 'node_modules/.bin/dockerfile-utils');
const DOCKERFILE = path.join(REPO_ROOT, 'Dockerfile.arm64');
const lint = (file: string): ReturnType<typeof spawnSync> => spawnSync(LINT, ['lint', file], { encoding: 'utf8', timeout: 60000 });

describe('deploy: Dockerfile.arm64', function () {
  this.timeout(60000);

  it('lint-checks clean (dockerfile-utils)', () => {
    const result = lint(DOCKERFILE);
    assert.equal(result.status, 0, String(result.stdout) + String(result.stderr));
    assert.equal(String(result.stdout).trim(), '');
  });

  it('the linter does catch a broken copy of it', () => {
    const tmp = tempDir('edge-dockerfile-');
    try {
      const broken = path.join(tmp.dir, 'Dockerfile');
      writeFileSync(broken, readFileSync(DOCKERFILE, 'utf8').replace('HEALTHCHECK --interval=60s', 'HEALTHCHECK --intervall=60s'));
      const result = lint(broken);
      assert.notEqual(result.status, 0);
      assert.match(String(result.stdout), /Unknown flag: intervall/);
    } finally {
      tmp.cleanup();
    }
  });

  it('is multi-stage arm64 with a non-root user, a data volume and a diag healthcheck', () => {
    const text = readFileSync(DOCKERFILE, 'utf8');
    assert.equal(text.match(/^FROM --platform=linux\/arm64 /gm)?.length, 2);
    assert.match(text, /^USER edge-agent$/m);
    assert.match(text, /^VOLUME \["\/var\/lib\/edge-agent"\]$/m);
    assert.match(text, /^HEALTHCHECK [^\n]*\\\n\s+CMD .*diag --json --only /m);
    const runtime = text.slice(text.lastIndexOf('FROM --platform'));
    assert.match(runtime, /gstreamer1\.0-tools/, 'clips are remuxed by gst-launch-1.0');
    assert.match(runtime, /gstreamer1\.0-plugins-good gstreamer1\.0-plugins-bad/, 'mp4mux (good), tsdemux and the parsers (bad)');
    assert.doesNotMatch(runtime, /python3/, 'no Python at run time');
  });
});
