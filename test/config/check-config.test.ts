import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { validateConfig } from '../../agent/config/validate.js';
import { runCli } from '../support/agent-cli.js';
import { tempDir } from '../support/tmp.js';

const ISSUE_EXAMPLE = {
  gateway: { id: 'gw-01', dataDir: '/var/lib/edge-agent' },
  mqtt: { url: 'mqtt://127.0.0.1:1883', topicPrefix: 'edge' },
  health: { intervalSeconds: 60 },
  cameras: [
    { id: 'cam1', source: { kind: 'rtsp', url: 'rtsp://10.0.0.5/stream1' } },
    { id: 'cam2', source: { kind: 'file', path: 'clip.mp4', loop: true } },
    { id: 'cam3', source: { kind: 'test', pattern: 'ball' } },
    { id: 'cam4', source: { kind: 'onvif', host: '10.0.0.7', port: 80, username: 'u', password: 'p' } },
    { id: 'cam5', source: { kind: 'v4l2', device: '/dev/video0' } },
  ],
};

describe('config schema', () => {
  it('accepts the documented example and fills in defaults', () => {
    const r = validateConfig(ISSUE_EXAMPLE);
    assert.ok(r.ok, JSON.stringify(!r.ok && r.problems));
    const cam = r.config.cameras[0];
    assert.deepEqual(cam.detect, { enabled: true, width: 640, height: 360, fps: 5 });
    assert.equal(r.config.outbox.sync, 'interval');
    assert.equal(r.config.clips.preSeconds, 5);
    assert.equal(cam.source.kind === 'rtsp' && cam.source.transport, 'tcp');
  });

  it('does not mutate its input', () => {
    const input = structuredClone(ISSUE_EXAMPLE);
    validateConfig(input);
    assert.deepEqual(input, ISSUE_EXAMPLE);
  });

  it('lists every problem by JSON path with a reason, unknown keys included', () => {
    const r = validateConfig({
      gateway: { id: 'gw 01', colour: 'red' },
      mqtt: { url: 'http://broker' },
      cameras: [
        { id: 'a', source: { kind: 'rtsp', url: 'http://x', extra: 1 } },
        { id: 'b', source: { kind: 'carrier-pigeon' } },
        { id: 'a', source: { kind: 'test' } },
      ],
      schedules: { retention: 'every tuesday', compaction: '* * * * *', selfTest: '0 4 * * *' },
      unknownTop: true,
    });
    assert.ok(!r.ok);
    const got = new Map(r.problems.map((p) => [p.path, p.reason]));
    assert.equal(got.get('gateway.colour'), 'unknown key');
    assert.match(got.get('gateway.id') ?? '', /pattern/);
    assert.match(got.get('mqtt.url') ?? '', /pattern/);
    assert.equal(got.get('cameras[0].source.extra'), 'unknown key');
    assert.match(got.get('cameras[0].source.url') ?? '', /pattern/);
    assert.match(got.get('cameras[1].source.kind') ?? '', /one of/);
    assert.match(got.get('schedules.retention') ?? '', /cron/);
    assert.equal(got.get('unknownTop'), 'unknown key');
  });

  it('reports cross-field problems once the schema passes', () => {
    const r = validateConfig({ ...ISSUE_EXAMPLE, cameras: [ISSUE_EXAMPLE.cameras[2], ISSUE_EXAMPLE.cameras[2]], statusPage: { enabled: true } });
    assert.ok(!r.ok);
    assert.deepEqual(r.problems.map((p) => p.path).sort(), ['cameras[1].id', 'statusPage.password']);
  });
});

describe('edge-agent check-config', () => {
  const tmp = tempDir();
  after(() => tmp.cleanup());

  it('exits 0 on a valid file and 1 with every problem listed on an invalid one', () => {
    const good = path.join(tmp.dir, 'good.json');
    writeFileSync(good, JSON.stringify(ISSUE_EXAMPLE));
    const ok = runCli(['check-config', good]);
    assert.equal(ok.status, 0, ok.stderr);
    assert.match(ok.stdout, /valid \(5 camera/);

    const bad = path.join(tmp.dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ mqtt: { url: 'ftp://x', qos: 3 }, cameras: [{ id: 'x' }] }));
    const ko = runCli(['check-config', bad]);
    assert.equal(ko.status, 1);
    assert.match(ko.stderr, /mqtt\.url: must match pattern/);
    assert.match(ko.stderr, /mqtt\.qos: unknown key/);
    assert.match(ko.stderr, /cameras\[0\]\.source: is required/);
  });

  it('refuses a file that is not JSON', () => {
    const f = path.join(tmp.dir, 'broken.json');
    writeFileSync(f, '{"gateway": ');
    const r = runCli(['check-config', f]);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /\$: not valid JSON/);
  });

  it('names the file it cannot read (CONFIG_UNREADABLE), and `run` without any config says CONFIG_MISSING', () => {
    const missing = path.join(tmp.dir, 'no-such-config.json');
    const r = runCli(['check-config', missing]);
    assert.equal(r.status, 1);
    assert.match(r.stderr, new RegExp(`^CONFIG_UNREADABLE: cannot read config file ${missing}`, 'm'));
    const run = runCli(['run']);
    assert.notEqual(run.status, 0);
    assert.match(run.stderr, /^CONFIG_MISSING: no configuration given\nremedy: pass --config FILE or --bootstrap FILE/m);
  });

  it('never prints secrets', () => {
    const f = path.join(tmp.dir, 'secret.json');
    writeFileSync(f, JSON.stringify({ ...ISSUE_EXAMPLE, mqtt: { ...ISSUE_EXAMPLE.mqtt, username: 'gw', password: 'hunter2-secret' } }));
    const r = runCli(['check-config', '--print', f]);
    assert.equal(r.status, 0, r.stderr);
    assert.doesNotMatch(r.stdout + r.stderr, /hunter2-secret/);
    assert.match(r.stdout, /\[redacted\]/);
  });
});
