import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { nodeOptionsOf, unitNodeFlags } from '../../scripts/bench/support/unit-env.js';
import { REPO_ROOT } from '../support/tmp.js';

const read = (file: string): string => readFileSync(path.join(REPO_ROOT, file), 'utf8');

const imageOptions = (): string[] => nodeOptionsOf(JSON.parse(/^ENTRYPOINT (\[.*\])$/m.exec(read('Dockerfile.arm64'))?.[1] ?? '[]') as string[]);
const demoOptions = (): string[] => nodeOptionsOf((JSON.parse(read('package.json')) as { scripts: Record<string, string> }).scripts.demo.split(/\s+/));

/**
 * Allocates a fixed amount of short-lived garbage (some of it surviving a scavenge or two, which is
 * what makes V8 grow the young generation) and prints the size V8 gave the young generation.
 */
const YOUNG_GENERATION_MB = [
  'const v8 = require("node:v8"); let keep = [];',
  'for (let i = 0; i < 200000; i++) { keep.push({ a: new Array(50).fill(i) }); if (keep.length > 20000) keep = []; }',
  'console.log(v8.getHeapSpaceStatistics().find((s) => s.space_name === "new_space").space_size / 1048576);',
].join('\n');

function youngGenerationMb(options: string[]): number {
  const run = spawnSync(process.execPath, [...options, '-e', YOUNG_GENERATION_MB], { encoding: 'utf8', timeout: 30000 });
  assert.equal(run.status, 0, run.stderr);
  return Number(run.stdout.trim());
}

describe('deploy: the node options the agent runs with', function () {
  this.timeout(60000);

  it('the systemd unit, the image and `npm run demo` start the agent with the same ones, the young-generation cap among them', () => {
    const unit = unitNodeFlags();
    assert.ok(unit.includes('--max-semi-space-size=4'), `unit: ${unit.join(' ')}`);
    assert.deepEqual(imageOptions(), unit);
    assert.deepEqual(demoOptions(), unit);
  });

  it('with them, V8 keeps the young generation within 2 x 4 MB under allocation pressure (without, it grows past it)', () => {
    assert.ok(youngGenerationMb(unitNodeFlags()) <= 8);
    assert.ok(youngGenerationMb([]) > 8);
  });
});
