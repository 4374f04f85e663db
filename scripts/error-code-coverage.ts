/**
 * Which codes of the agent's error tables (agent/core/error-catalog.ts, the list docs/errors.md is
 * generated from) no test under test/ names: a string search, so a named code is not proof that a
 * test triggers it, but an unnamed one is proof that none asserts it (issue 15 item 8).
 * `npx tsx scripts/error-code-coverage.ts` prints "N of M codes untested" and the untested codes;
 * test/core/error-code-coverage.test.ts keeps the untested list from growing; `--write` rewrites that
 * list (test/core/untested-error-codes.json) after tests were added.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ERROR_CATALOG } from '../agent/core/error-catalog.js';
import { CameraErrorCode } from '../agent/ingest/error-codes.js';

const REPO_ROOT = path.resolve(__dirname, '..');
const TEST_DIR = path.join(REPO_ROOT, 'test');
export const ALLOW_LIST = path.join(REPO_ROOT, 'test/core/untested-error-codes.json');
/** Files that list codes without triggering any: the tables' own tests and the allow-list. */
export const NOT_A_USE = new Set(['test/core/error-codes.test.ts', 'test/core/errors-docs.test.ts', 'test/core/error-code-coverage.test.ts', 'test/core/untested-error-codes.json']);

function filesIn(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) return filesIn(full);
    return NOT_A_USE.has(path.relative(REPO_ROOT, full)) ? [] : [full];
  });
}

export interface CodeCoverage {
  codes: string[];
  untested: string[];
}

/** Every table code, and those that appear in no test file (by full name, or as CameraErrorCode.NAME). */
export function errorCodeCoverage(): CodeCoverage {
  const tests = filesIn(TEST_DIR).map((f) => readFileSync(f, 'utf8')).join('\n');
  const shortNameOf = new Map(Object.entries(CameraErrorCode).map(([short, code]) => [code as string, short]));
  const named = (code: string): boolean => {
    const short = shortNameOf.get(code);
    return new RegExp(`\\b${code}\\b`).test(tests) || (short !== undefined && tests.includes(`CameraErrorCode.${short}`));
  };
  const codes = ERROR_CATALOG.flatMap((s) => Object.keys(s.table));
  return { codes, untested: codes.filter((c) => !named(c)) };
}

if (require.main === module) {
  const { codes, untested } = errorCodeCoverage();
  process.stdout.write(`${untested.length} of ${codes.length} codes untested\n${untested.map((c) => `  ${c}\n`).join('')}`);
  if (process.argv.includes('--write')) writeFileSync(ALLOW_LIST, `${JSON.stringify(untested, null, 2)}\n`);
}
