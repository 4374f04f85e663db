import type { EventMessage } from '../../agent/contract/index.js';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseQuery, queryEvents } from '../../agent/receiver/event-query.js';
import { runCli, startCli, stopProcess } from '../support/agent-cli.js';
import { REPO_ROOT, VIDEOS_DIR } from '../support/tmp.js';
import { waitFor } from '../support/wait.js';
import { useGatewayOnBroker } from './support/gateway-fixture.js';

describe('edge-agent receive (the command)', function () {
  this.timeout(120000);
  const fixture = useGatewayOnBroker('city', 'gw-cli');
  /** The retained status is printed only once the subscriptions stand ('connected to' comes before them: an event sent then is lost). */
  const subscribed = (proc: { log: string }): Promise<unknown> =>
    waitFor(() => proc.log.includes('status gw-cli:'), { what: `receiver connected and subscribed: ${proc.log}`, timeoutMs: 60000 });

  it('prints a line per event, gap and clip and writes them under --out', async () => {
    const out = path.join(fixture.tmp.dir, 'out');
    const proc = startCli(['receive', '--broker', fixture.broker.url, '--prefix', 'city', '--gateway', 'gw-cli', '--out', out, '--client-id', 'cli-receiver']);
    try {
      await subscribed(proc);
      await fixture.gw.publishEvent({ id: 'a1', seq: 1, type: 'start', camera: 'cam1', label: 'person', objectId: 'o1' });
      await fixture.gw.publishEvent({ id: 'a3', seq: 3, type: 'end', camera: 'cam1', label: 'person', objectId: 'o1' });
      const clip = readFileSync(path.join(VIDEOS_DIR, 'ozlu_vehicle_survaillance.mp4'));
      await fixture.gw.publishClip(clip, { clipId: 'cli-clip', eventId: 'o1' });
      await waitFor(() => proc.log.includes('clip gw-cli cli-clip ok'), { what: `clip line: ${proc.log}` });
      assert.match(proc.log, /event gw-cli seq=1 id=a1 start camera=cam1 person o1/);
      assert.match(proc.log, /gap gw-cli missing seq 2\.\.2 \(1\)/);
      assert.ok(readFileSync(path.join(out, 'clips', 'gw-cli', 'cli-clip.mp4')).equals(clip));
      assert.equal(readFileSync(path.join(out, 'events.jsonl'), 'utf8').trim().split('\n').length, 2);
    } finally {
      assert.equal(await stopProcess(proc), 0, proc.log);
    }
  });

  it('--query finds objects by label, colour, direction, zone, line, camera and time, with their files; an unknown colour is a clear error', async () => {
    const out = path.join(fixture.tmp.dir, 'query');
    const proc = startCli(['receive', '--broker', fixture.broker.url, '--prefix', 'city', '--gateway', 'gw-cli', '--out', out, '--client-id', 'query-receiver']);
    const T = Date.parse('2026-12-05T14:05:00.000Z');
    const base = { camera: 'market', zones: [] as string[], score: 0.8, topScore: 0.9, box: [0.1, 0.1, 0.2, 0.2] as [number, number, number, number] };
    try {
      await subscribed(proc);
      // A red motorbike heading up past the market line (ab), a grey car going down on another camera, a red car outside the time range.
      const events: Array<Partial<EventMessage>> = [
        { ...base, type: 'start', objectId: 'bike', label: 'motorcycle', startTs: T, ts: T },
        { ...base, type: 'update', objectId: 'bike', label: 'motorcycle', startTs: T, ts: T + 2000, zones: ['square'], crossings: [{ line: 'market', direction: 'ab', ts: T + 2000 }] },
        { ...base, type: 'end', objectId: 'bike', label: 'motorcycle', startTs: T, ts: T + 9000, endTs: T + 8000, zones: ['square'], crossings: [{ line: 'market', direction: 'ab', ts: T + 2000 }], direction: 'up', colour: 'red' },
        { ...base, camera: 'depot', type: 'start', objectId: 'car', label: 'car', startTs: T + 1000, ts: T + 1000 },
        { ...base, camera: 'depot', type: 'end', objectId: 'car', label: 'car', startTs: T + 1000, ts: T + 5000, endTs: T + 4000, direction: 'down', colour: 'grey' },
        { ...base, type: 'start', objectId: 'late', label: 'car', startTs: T + 3_600_000, ts: T + 3_600_000 },
        { ...base, type: 'end', objectId: 'late', label: 'car', startTs: T + 3_600_000, ts: T + 3_601_000, endTs: T + 3_601_000, direction: 'up', colour: 'red' },
      ];
      for (const [i, e] of events.entries()) await fixture.gw.publishEvent({ id: `q${i}`, seq: i + 1, ...e });
      const snapshot = readFileSync(path.join(REPO_ROOT, 'test/fixtures/analytics/bgslib_video02.line.png'));
      await fixture.gw.publishClip(snapshot, { clipId: 'snap-bike', eventId: 'bike', contentType: 'image/png' });
      await waitFor(() => proc.log.includes('clip gw-cli snap-bike ok') && proc.log.includes('id=q6'), { what: `all received: ${proc.log}` });
    } finally {
      assert.equal(await stopProcess(proc), 0, proc.log);
    }
    const query = (q: string): { lines: string[]; status: number | null; stderr: string } => {
      const r = runCli(['receive', '--out', out, '--query', q]);
      return { lines: r.stdout.trim().split('\n').filter(Boolean), status: r.status, stderr: r.stderr };
    };
    // The matrix through the module (each CLI start costs seconds); the command itself above and below.
    const ids = (q: string): string[] => queryEvents(out, parseQuery(q)).map((m) => m.objectId);

    const hit = query('label=motorcycle,colour=red,direction=up,line=market:ab,from=2026-12-05T14:00:00Z,to=2026-12-05T14:10:00Z');
    assert.equal(hit.status, 0, hit.stderr);
    assert.equal(hit.lines.length, 1, hit.lines.join('\n'));
    assert.match(hit.lines[0], /^gw-cli market bike motorcycle colour=red direction=up zones=square lines=market:ab 2026-12-05T14:05:00\.000Z\.\.2026-12-05T14:05:08\.000Z /);
    assert.ok(hit.lines[0].endsWith(path.join(out, 'clips', 'gw-cli', 'snap-bike.png')), 'the snapshot file is printed');
    assert.deepEqual(ids('colour=red'), ['bike', 'late']);
    assert.deepEqual(ids('colour=red,to=2026-12-05T14:10:00Z'), ['bike'], 'time range');
    assert.deepEqual(ids('line=market:ba'), [], 'line direction');
    assert.deepEqual(ids('zone=square'), ['bike']);
    assert.deepEqual(ids('camera=depot,direction=down'), ['car']);
    assert.deepEqual(ids('label=car'), ['car', 'late']);

    const badColour = query('colour=scarlet');
    assert.equal(badColour.status, 1);
    assert.deepEqual(badColour.lines, [], 'nothing printed for a bad query');
    assert.match(badColour.stderr, /RECEIVER_BAD_QUERY: unknown colour "scarlet": one of red, orange, yellow, green, blue, purple, pink, brown, black, grey, white/);
    assert.throws(() => parseQuery('speed=80'), /unknown query key in "speed=80"/);
    assert.throws(() => parseQuery('direction=north'), /unknown direction "north"/);
    assert.throws(() => parseQuery('line=market:up'), /line direction "up" must be ab or ba/);
    assert.throws(() => parseQuery('from=yesterday'), /"from" is not an ISO-8601 time/);
  });
});
