import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { renderMqttDocs } from '../../scripts/gen-mqtt-docs.js';
import { REPO_ROOT } from '../support/tmp.js';

describe('mqtt docs', () => {
  it('the generated sections of docs/mqtt.md match the wire contract (run scripts/gen-mqtt-docs.ts)', () => {
    const committed = readFileSync(path.join(REPO_ROOT, 'docs/mqtt.md'), 'utf8');
    const rendered = renderMqttDocs(committed);
    assert.equal(committed, rendered);
    for (const expected of ['| `clips/<clipId>/meta` |', '| `config/reported` |', '| `seq` | integer | yes |', '| `cameras.<key>.fpsIn` |', '| `signature` |', '*offline (will)*']) {
      assert.ok(rendered.includes(expected), expected);
    }
  });

  it('a stale generated section is rewritten, the prose around it is kept', () => {
    const committed = readFileSync(path.join(REPO_ROOT, 'docs/mqtt.md'), 'utf8');
    const stale = committed.replace('| `events` | gw → central |', '| `events-old` | gw → central |').replace('## Session and connection', '## Session and connection (hand-written)');
    const rendered = renderMqttDocs(stale);
    assert.ok(!rendered.includes('events-old'));
    assert.ok(rendered.includes('## Session and connection (hand-written)'));
  });
});
