import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { AgentConfigSchema } from '../../agent/config/schema/index.js';
import { renderConfigDocs } from '../../scripts/gen-config-docs.js';
import { REPO_ROOT } from '../support/tmp.js';

describe('config docs', () => {
  it('docs/config.md and docs/config.schema.json are generated from the current schema (run scripts/gen-config-docs.ts)', () => {
    const { markdown, jsonSchema } = renderConfigDocs();
    assert.equal(readFileSync(path.join(REPO_ROOT, 'docs/config.md'), 'utf8'), markdown);
    assert.equal(readFileSync(path.join(REPO_ROOT, 'docs/config.schema.json'), 'utf8'), jsonSchema);
    for (const key of ['`gateway.dataDir`', '`mqtt.url`', '`cameras[].detect.fps`', '`outbox.sync`', '`provisioning.trustedKeys`', '`statusPage.password`']) assert.ok(markdown.includes(key), key);
  });

  it('marks every top-level section with how a running agent takes a change (x-apply), and the docs show it', () => {
    for (const [key, node] of Object.entries(AgentConfigSchema.properties)) {
      if (key === '$schema') continue;
      assert.ok(['live', 'restart'].includes((node as { 'x-apply'?: string })['x-apply'] ?? ''), `${key} has no x-apply`);
    }
    const { markdown } = renderConfigDocs();
    assert.match(markdown, /^\| `outbox\.sync` \|[^\n]*\| restart \|/m);
    assert.match(markdown, /^\| `detection\.threads` \|[^\n]*\| restart \|/m);
    assert.match(markdown, /^\| `detection\.minScore` \|[^\n]*\| live \|/m);
    assert.match(markdown, /^\| `cameras\[\]\.detect\.fps` \|[^\n]*\| live \|/m);
  });
});
