import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { ALLOW_LIST, errorCodeCoverage } from '../../scripts/error-code-coverage.js';

/** ALLOW_LIST: the codes no test names today (scripts/error-code-coverage.ts); the list may only shrink. */

describe('error code coverage', () => {
  it('no code outside test/core/untested-error-codes.json goes untested, and the list holds no tested code', () => {
    const allowed: string[] = JSON.parse(readFileSync(ALLOW_LIST, 'utf8'));
    const { untested } = errorCodeCoverage();
    assert.deepEqual(untested.filter((c) => !allowed.includes(c)), [], 'a new error code needs a test that triggers it and asserts the code');
    assert.deepEqual(allowed.filter((c) => !untested.includes(c)), [], 'these are tested now: remove them from test/core/untested-error-codes.json (npx tsx scripts/error-code-coverage.ts --write)');
  });
});
