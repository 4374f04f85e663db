import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { ERROR_CATALOG } from '../../agent/core/error-catalog.js';
import { renderErrorsDocs } from '../../scripts/gen-errors-docs.js';
import { REPO_ROOT } from '../support/tmp.js';

describe('error docs', () => {
  it('docs/errors.md is generated from the current error tables (run scripts/gen-errors-docs.ts)', () => {
    const markdown = renderErrorsDocs();
    assert.equal(readFileSync(path.join(REPO_ROOT, 'docs/errors.md'), 'utf8'), markdown);
    for (const row of ['| `CAMERA_UNREACHABLE` |', '| `OUTBOX_FULL` |', '| `PROVISIONING_LOCKOUT` |', '| `AGENT_START_FAILED` |', '| `INTERNAL` |', '`UPLINK_ECONNREFUSED`']) {
      assert.ok(markdown.includes(row), row);
    }
  });

  it('names each table\'s source file and links only docs that exist', () => {
    for (const s of ERROR_CATALOG) {
      assert.ok(existsSync(path.join(REPO_ROOT, s.source)), s.source);
      for (const doc of s.docs) assert.ok(existsSync(path.join(REPO_ROOT, 'docs', doc)), doc);
    }
  });
});
