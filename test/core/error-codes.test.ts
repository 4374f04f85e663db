import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { ERROR_CATALOG } from '../../agent/core/error-catalog.js';
import { AgentError, toErrorInfo } from '../../agent/core/errors.js';
import { CameraErrorCode } from '../../agent/ingest/error-codes.js';
import { REPO_ROOT } from '../support/tmp.js';

/** The agent, and the model converter and set-up scripts that raise the detector's codes. */
const SOURCE_DIRS = ['agent', 'models/converter', 'scripts'].map((d) => path.join(REPO_ROOT, d));
/** The tables and the catalog spell every code; they are the definitions, not uses. */
const isTableFile = (file: string): boolean => /(^|\/)error-(codes|catalog)\.ts$/.test(file);
/** Upper-snake literals in agent/ that are not our codes: codes of the system, compared against. */
const NOT_OUR_CODES = new Set(['EAI_AGAIN']);

function sourcesIn(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) return e.name === 'demo' ? [] : sourcesIn(full);
    return e.name.endsWith('.ts') && !isTableFile(path.relative(REPO_ROOT, full)) ? [full] : [];
  });
}

/** Comments name codes too (in examples, `like THIS`); only code counts as a use. */
function withoutComments(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|\s)\/\/ .*$/gm, '$1');
}

/** Every code the agent's source spells: upper-snake string literals, one-word codes where a code goes, and CameraErrorCode.NAME. */
function codesUsedInSource(): Map<string, string> {
  const used = new Map<string, string>();
  const shortNames = CameraErrorCode as Record<string, string>;
  for (const file of SOURCE_DIRS.flatMap((d) => sourcesIn(d))) {
    const text = withoutComments(readFileSync(file, 'utf8'));
    const at = path.relative(REPO_ROOT, file);
    for (const m of text.matchAll(/['"]([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+)['"]/g)) if (!NOT_OUR_CODES.has(m[1])) used.set(m[1], at);
    for (const m of text.matchAll(/(?:toErrorInfo\([^()]*,\s*|AgentError\(\s*|ErrorCode\s*=\s*)'([A-Z][A-Z0-9]*)'/g)) used.set(m[1], at);
    for (const m of text.matchAll(/CameraErrorCode\.([A-Z_]+)/g)) {
      assert.ok(m[1] in shortNames, `${at}: CameraErrorCode.${m[1]} does not exist`);
      used.set(shortNames[m[1]], at);
    }
  }
  return used;
}

const tableCodes = (): string[] => ERROR_CATALOG.flatMap((s) => Object.keys(s.table));

describe('error code tables', () => {
  it('hold every code used in agent/ source', () => {
    const known = new Set(tableCodes());
    const missing = [...codesUsedInSource()].filter(([code]) => !known.has(code)).map(([code, file]) => `${code} (${file})`);
    assert.deepEqual(missing, [], 'add these to the error table of their subsystem (agent/<subsystem>/error-codes.ts)');
  });

  it('hold no code that agent/ source never uses', () => {
    const used = codesUsedInSource();
    assert.deepEqual(tableCodes().filter((code) => !used.has(code)), []);
  });

  it('give each code once, with what happened and what to do', () => {
    const seen = new Map<string, string>();
    for (const s of ERROR_CATALOG) {
      for (const [code, e] of Object.entries(s.table)) {
        assert.equal(seen.get(code), undefined, `${code} is in both ${seen.get(code)} and ${s.subsystem}`);
        seen.set(code, s.subsystem);
        assert.match(code, /^[A-Z][A-Z0-9]*(_[A-Z0-9]+)*$/, code);
        assert.ok(e.summary.trim().length > 0 && e.remedy.trim().length > 0, code);
      }
    }
    assert.ok(seen.size > 100, `only ${seen.size} codes`);
  });

  it('type AgentError codes: an unknown code does not compile (checked by tsc)', () => {
    // @ts-expect-error 'NOT_A_CODE' is in no table; tsc fails on this file if AgentError accepted any string
    const unknown = new AgentError('NOT_A_CODE', 'x');
    assert.equal(unknown.code, 'NOT_A_CODE');
  });

  it('keep the wire form of derived codes: fallback, "_", the system code', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1883'), { code: 'ECONNREFUSED' });
    assert.deepEqual(toErrorInfo(refused, 'UPLINK'), { code: 'UPLINK_ECONNREFUSED', message: refused.message });
    assert.deepEqual(toErrorInfo(new Error('boom'), 'JOB_FAILED'), { code: 'JOB_FAILED', message: 'boom' });
    assert.deepEqual(toErrorInfo('text'), { code: 'INTERNAL', message: 'text' });
    assert.deepEqual(toErrorInfo(new AgentError('OUTBOX_FULL', 'full', 'raise quota')), { code: 'OUTBOX_FULL', message: 'full', remedy: 'raise quota' });
  });
});
