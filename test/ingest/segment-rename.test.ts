import assert from 'node:assert/strict';
import { existsSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import pino from 'pino';
import { recordingDir } from '../../agent/ingest/pipeline-plan.js';
import { tempDir } from '../support/tmp.js';
import { waitFor } from '../support/wait.js';
import { cameras, harness, type Harness } from './helpers.js';

/** A segment that cannot get its final name at camera shutdown is logged with a code and counted, not dropped. */
describe('camera ingest: a segment rename that fails at shutdown', function () {
  this.timeout(120000);
  const tmp = tempDir('ingest-rename-');
  const logs: Array<Record<string, unknown>> = [];
  let h: Harness | undefined;
  after(async () => {
    await h?.manager.stop();
    tmp.cleanup();
  });

  it('is logged with CAMERA_SEGMENT_RENAME_FAILED and counted in the camera stats (health)', async () => {
    const logger = pino({ level: 'warn' }, { write: (line: string) => void logs.push(JSON.parse(line) as Record<string, unknown>) });
    // Long segments: the one open at the stop is the only one closed, by the stop's EOS.
    h = harness(cameras([{ id: 'cam', source: { kind: 'test' }, detect: { width: 160, height: 120, fps: 5 } }]), tmp.dir, { segmentSeconds: 600 }, undefined, logger);
    await h.manager.start();
    const dir = recordingDir(tmp.dir, 'cam');
    await waitFor(() => h?.manager.stats().cam.state === 'streaming' && existsSync(dir) && readdirSync(dir).some((f) => f.startsWith('.partial')), {
      timeoutMs: 60000,
      what: 'the camera streaming and writing its first segment',
    });
    assert.equal(h.manager.stats().cam.segmentRenameFailures, 0);
    // The segment's folder is now a file: the open segment cannot be renamed in it (also not by root).
    rmSync(dir, { recursive: true });
    writeFileSync(dir, '');
    await h.manager.stop();

    assert.equal(h.manager.stats().cam.segmentRenameFailures, 1);
    const logged = logs.find((l) => l.code === 'CAMERA_SEGMENT_RENAME_FAILED');
    assert.ok(logged, `a log line with the code: ${JSON.stringify(logs)}`);
    assert.equal(logged.camera, 'cam');
    assert.match(String(logged.file), new RegExp(`^${path.join(dir, '.partial')}`));
    assert.deepEqual(h.segments, [], 'no segment announced');
  });
});
