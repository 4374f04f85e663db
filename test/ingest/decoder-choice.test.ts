import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT, tempDir } from '../support/tmp.js';

/** What the box's real GStreamer answers (gst-inspect-1.0 --exists exits 0 when the element exists). */
const realHas = (element: string): boolean => spawnSync('gst-inspect-1.0', ['--exists', element]).status === 0;

/**
 * docs/ingest.md "Decoder choice": `auto` asks for nvv4l2decoder (Jetson), then v4l2h264dec (Pi), else
 * software, and stats().decoder reports the choice (test/ingest/frames.test.ts: a streaming `auto`
 * camera reports `software` on this VM). The questions go to the real gst-inspect-1.0 through a
 * wrapper that only writes down each question before running it: the answers are the box's own.
 */
describe('decoder auto', () => {
  const tmp = tempDir('edge-decoder-');
  after(() => tmp.cleanup());

  it('asks for the Jetson decoder, then the Pi decoder, and falls back to software when GStreamer has neither', () => {
    const real = execFileSync('sh', ['-c', 'command -v gst-inspect-1.0'], { encoding: 'utf8' }).trim();
    const asked = path.join(tmp.dir, 'asked.log');
    const wrapper = path.join(tmp.dir, 'gst-inspect-1.0');
    writeFileSync(wrapper, `#!/bin/sh\necho "$*" >> '${asked}'\nexec '${real}' "$@"\n`);
    chmodSync(wrapper, 0o755);
    writeFileSync(asked, '');

    const out = execFileSync(process.execPath, ['--import', 'tsx', path.join(REPO_ROOT, 'test/ingest/decoder-choice-child.ts')], {
      cwd: REPO_ROOT, encoding: 'utf8', env: { ...process.env, PATH: `${tmp.dir}:${process.env.PATH}` },
    });
    const plan = JSON.parse(out) as { decoder: string; pipeline: string };

    // This VM has no hardware decoder, only the software one: the fallback is what runs here.
    assert.deepEqual([realHas('nvv4l2decoder'), realHas('v4l2h264dec'), realHas('avdec_h264')], [false, false, true], 'precondition: a box without hardware decoders');
    assert.deepEqual(readFileSync(asked, 'utf8').trim().split('\n'), ['--exists nvv4l2decoder', '--exists v4l2h264dec'], 'the documented order, each asked once');
    assert.equal(plan.decoder, 'software');
    assert.match(plan.pipeline, /! avdec_h264 /);
    assert.doesNotMatch(plan.pipeline, /v4l2h264dec|nvv4l2decoder/);
  });
});
