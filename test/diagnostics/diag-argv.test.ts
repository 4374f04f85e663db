import { randomBytes } from 'node:crypto';
import assert from 'node:assert/strict';
import path from 'node:path';
import type { DiagReport } from '../../agent/diagnostics/report-schema.js';
import { startCli } from '../support/agent-cli.js';
import { commandLines } from '../support/command-lines.js';
import { RtspTestServer } from '../support/rtsp.js';
import { tempDir, VIDEOS_DIR } from '../support/tmp.js';
import { waitFor } from '../support/wait.js';
import { check, CLIP, writeConfig } from './helpers.js';

describe('diag never puts a camera password on a command line', function () {
  this.timeout(200000);
  const tmp = tempDir('diag-argv-');
  after(() => tmp.cleanup());

  it('decodes an RTSP camera with credentials while no process\'s /proc/<pid>/cmdline holds the password', async () => {
    // '/', '@' and ':' in it: whatever splits URLs or argv must not let a piece of it through either.
    // A marker unique to this run: another suite's test camera on the same machine carries its own.
    const marker = `S3cr${randomBytes(4).toString('hex')}`;
    const password = `${marker}/et@pw:42`;
    const camera = await new RtspTestServer({ file: path.join(VIDEOS_DIR, CLIP), user: 'viewer', password }).start();
    try {
      const cfg = writeConfig(tmp.dir, {
        gateway: { id: 'gw-argv', dataDir: path.join(tmp.dir, 'data') },
        mqtt: { url: 'mqtt://127.0.0.1:1' },
        cameras: [{ id: 'gate', decoder: 'software', source: { kind: 'rtsp', url: camera.url, username: 'viewer', password } }],
      });
      const diag = startCli(['diag', '--config', cfg, '--only', 'cameras', '--json']);
      const leaks = new Map<number, string>();
      let scans = 0;
      await waitFor(() => {
        scans++;
        for (const [pid, line] of commandLines()) if (pid !== camera.pid && line.includes(marker)) leaks.set(pid, line);
        return diag.exitCode !== null;
      }, { timeoutMs: 150000, intervalMs: 20, what: 'diag to finish' });
      const report = JSON.parse(diag.log.slice(diag.log.indexOf('{'))) as DiagReport;
      const decode = check(report, 'camera.gate.decode');
      assert.ok(['pass', 'warn'].includes(decode.status), `the probe decoded with the credentials: ${decode.detail}`);
      assert.ok(scans > 10, 'the command lines were read while diag ran');
      assert.deepEqual([...leaks.values()], [], 'a command line held the camera password');
      assert.ok(!diag.log.includes(marker), 'the report or log holds the password');
    } finally {
      await camera.stop();
    }
  });
});
