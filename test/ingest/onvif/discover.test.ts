import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import dgram from 'node:dgram';
import { AGENT_ARGV } from '../../support/agent-cli.js';
import { FakeOnvifDevice } from '../../support/fake-onvif.js';
import { freePort } from '../../support/ports.js';
import { REPO_ROOT } from '../../support/tmp.js';

/** runCli is synchronous and would block the fake device in this process: run the CLI asynchronously. */
function runCliAsync(args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [...AGENT_ARGV, ...args], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    p.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    p.on('exit', (status) => resolve({ status, stdout, stderr }));
  });
}

describe('edge-agent discover (unicast WS-Discovery probe, never multicast)', () => {
  let device: FakeOnvifDevice;
  let rtspUrl: string;

  before(async () => {
    rtspUrl = `rtsp://127.0.0.1:${await freePort()}/cam`;
    device = await new FakeOnvifDevice({ username: 'admin', password: 's3cret', rtspUrl, name: 'Gate Cam' }).start();
  });
  after(() => device.stop());

  it('lists the device with its stream URI when credentials are given (--json)', async () => {
    const r = await runCliAsync(['discover', '--probe', `127.0.0.1:${device.discoveryPort}`, '--timeout', '2', '--username', 'admin', '--password', 's3cret', '--json']);
    assert.equal(r.status, 0, r.stderr);
    const doc = JSON.parse(r.stdout) as { cameras: { endpoint: string; host: string; port: number; name?: string; streamUri?: string; profiles?: string[] }[] };
    assert.equal(doc.cameras.length, 1);
    const cam = doc.cameras[0];
    assert.equal(cam.endpoint, device.endpoint);
    assert.equal(cam.port, device.httpPort);
    assert.equal(cam.name, 'Gate Cam');
    assert.equal(cam.streamUri, rtspUrl);
    assert.deepEqual(cam.profiles, ['main', 'sub']);
  });

  it('prints a readable list, with the auth error and its remedy on a wrong password', async () => {
    const r = await runCliAsync(['discover', '--probe', `127.0.0.1:${device.discoveryPort}`, '--timeout', '2', '--username', 'admin', '--password', 'nope']);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /1 ONVIF camera\(s\)/);
    assert.match(r.stdout, /Gate Cam {2}127\.0\.0\.1:\d+/);
    assert.match(r.stdout, /ONVIF_AUTH_FAILED/);
    assert.match(r.stdout, /remedy: check the camera username\/password/);
  });

  it('without credentials lists the device and says how to resolve it', async () => {
    const r = await runCliAsync(['discover', '--probe', `127.0.0.1:${device.discoveryPort}`, '--timeout', '2']);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, new RegExp(device.xaddr.replace(/[/.]/g, '\\$&')));
    assert.match(r.stdout, /give --username\/--password/);
  });

  it('exits 1 when nothing answers', async () => {
    // A bound socket that never replies: the port is surely ours, and the probe surely reaches it.
    const silent = dgram.createSocket('udp4');
    await new Promise<void>((r) => silent.bind(0, '127.0.0.1', r));
    let probes = 0;
    silent.on('message', () => probes++);
    try {
      const r = await runCliAsync(['discover', '--probe', `127.0.0.1:${silent.address().port}`, '--timeout', '1']);
      assert.equal(r.status, 1, r.stdout + r.stderr);
      assert.match(r.stdout, /no ONVIF camera answered/);
      assert.equal(probes, 1);
    } finally {
      silent.close();
    }
  });
});
