import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { startCli, stopProcess } from '../support/agent-cli.js';
import { VIDEOS_DIR } from '../support/tmp.js';
import { waitFor } from '../support/wait.js';
import { useGatewayOnBroker } from './support/gateway-fixture.js';

describe('edge-agent receive (the command)', function () {
  this.timeout(120000);
  const fixture = useGatewayOnBroker('city', 'gw-cli');

  it('prints a line per event, gap and clip and writes them under --out', async () => {
    const out = path.join(fixture.tmp.dir, 'out');
    const proc = startCli(['receive', '--broker', fixture.broker.url, '--prefix', 'city', '--gateway', 'gw-cli', '--out', out, '--client-id', 'cli-receiver']);
    try {
      // The retained status arrives only once the subscriptions stand ('connected to' comes before them: an event sent then was lost).
      await waitFor(() => proc.log.includes('status gw-cli:'), { what: `receiver connected and subscribed: ${proc.log}`, timeoutMs: 60000 });
      await fixture.gw.publishEvent({ id: 'a1', seq: 1, type: 'start', camera: 'cam1', label: 'person', objectId: 'o1' });
      await fixture.gw.publishEvent({ id: 'a3', seq: 3, type: 'end', camera: 'cam1', label: 'person', objectId: 'o1' });
      const clip = readFileSync(path.join(VIDEOS_DIR, 'ozlu_vehicle_survaillance.mp4'));
      await fixture.gw.publishClip(clip, { clipId: 'cli-clip', eventId: 'o1' });
      await waitFor(() => proc.log.includes('clip gw-cli cli-clip ok'), { what: `clip line: ${proc.log}` });
      assert.match(proc.log, /event gw-cli seq=1 id=a1 start camera=cam1 person o1/);
      assert.match(proc.log, /gap gw-cli missing seq 2\.\.2 \(1\)/);
      assert.ok(readFileSync(path.join(out, 'clips', 'cli-clip.mp4')).equals(clip));
      assert.equal(readFileSync(path.join(out, 'events.jsonl'), 'utf8').trim().split('\n').length, 2);
    } finally {
      assert.equal(await stopProcess(proc), 0, proc.log);
    }
  });
});
