import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, readdirSync, symlinkSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { freePort } from '../support/ports.js';
import { MosquittoBroker } from '../support/mosquitto.js';
import { RtspTestServer } from '../support/rtsp.js';
import { tempDir, VIDEOS_DIR } from '../support/tmp.js';
import { check, CLIP, diagInProcess, runDiag, validateReport, writeConfig } from './helpers.js';

/** The human table lists a failed check with its remedy on the next line. */
/**
 * GStreamer really lacking one plugin, as on a box where its package was never installed: a plugin
 * folder with every system plugin but that one, and a fresh registry (the env for the diag child).
 */
function gstWithout(plugin: string, pluginDir: string, registry: string): NodeJS.ProcessEnv {
  const sys = execFileSync('pkg-config', ['--variable=pluginsdir', 'gstreamer-1.0'], { encoding: 'utf8' }).trim();
  mkdirSync(pluginDir);
  for (const f of readdirSync(sys)) if (f.endsWith('.so') && f !== plugin) symlinkSync(path.join(sys, f), path.join(pluginDir, f));
  return { GST_PLUGIN_SYSTEM_PATH_1_0: pluginDir, GST_PLUGIN_PATH_1_0: '', GST_REGISTRY_1_0: registry };
}

function assertFailWithRemedy(stdout: string, id: string, remedy: RegExp): void {
  const lines = stdout.split('\n');
  const i = lines.findIndex((l) => l.startsWith('FAIL') && l.includes(` ${id} `));
  assert.ok(i >= 0, `FAIL ${id} in:\n${stdout}`);
  assert.match(lines[i + 1] ?? '', /→/, `remedy under ${id}`);
  assert.match(lines[i + 1], remedy);
}

describe('edge-agent diag names each failure with its remedy and exits 2', () => {
  const tmp = tempDir('diag-fail-');
  after(() => tmp.cleanup());

  it('a stopped broker and a dead camera URL', async () => {
    const broker = await new MosquittoBroker().start();
    const url = broker.url;
    await broker.dispose();
    const deadCam = `rtsp://127.0.0.1:${await freePort()}/cam`;
    const cfg = writeConfig(tmp.dir, {
      gateway: { id: 'gw-fail', dataDir: path.join(tmp.dir, 'data1') },
      mqtt: { url },
      cameras: [{ id: 'gate', source: { kind: 'rtsp', url: deadCam } }],
    }, 'dead.json');
    const t0 = Date.now();
    const r = runDiag(cfg, ['--only', 'uplink,cameras']);
    assert.equal(r.status, 2, r.stdout + r.stderr);
    assertFailWithRemedy(r.stdout, 'uplink.tcp', /broker is down or a firewall blocks TCP/);
    assertFailWithRemedy(r.stdout, 'camera.gate.source', /does not answer RTSP: check power/);
    assert.match(r.stdout, /skip\s+uplink\.mqtt\s.*not attempted/);
    assert.match(r.stdout, /^FAIL: 2 check\(s\) failed \(uplink\.tcp, camera\.gate\.source\)/m);
    assert.ok(Date.now() - t0 < 60000, 'dead links do not make diag slow');
  });

  it('a wrong MQTT password (Mosquitto with a password_file), while the right one connects', async () => {
    const broker = new MosquittoBroker({ listenerConfig: ['listener {port} 127.0.0.1', 'allow_anonymous false', 'password_file {dir}/passwd'] });
    const passwd = path.join(broker.dir, 'passwd');
    execFileSync('mosquitto_passwd', ['-c', '-b', passwd, 'gw', 'right-pass']);
    // Started as root, mosquitto drops to its own user: it must be able to read the file.
    chmodSync(broker.dir, 0o755);
    chmodSync(passwd, 0o644);
    await broker.start();
    try {
      const base = { gateway: { id: 'gw-auth', dataDir: path.join(tmp.dir, 'data2') }, cameras: [] };
      const wrong = runDiag(writeConfig(tmp.dir, { ...base, mqtt: { url: broker.url, username: 'gw', password: 'wrong-pass' } }, 'wrong.json'), ['--only', 'uplink']);
      assert.equal(wrong.status, 2, wrong.stdout + wrong.stderr);
      assertFailWithRemedy(wrong.stdout, 'uplink.mqtt', /check mqtt\.username\/mqtt\.password \(user "gw"\)/);
      assert.match(wrong.stdout, /broker refused the credentials/);
      assert.doesNotMatch(wrong.stdout, /wrong-pass/, 'the password is never printed');

      const right = await diagInProcess({ ...base, mqtt: { url: broker.url, username: 'gw', password: 'right-pass' } }, ['uplink']);
      assert.equal(check(right.report, 'uplink.mqtt').status, 'pass');
      assert.ok(['pass', 'warn'].includes(check(right.report, 'uplink.rtt').status));
    } finally {
      await broker.dispose();
    }
  });

  it('a missing GStreamer element (the libav plugin hidden from GStreamer)', async () => {
    // A plugin folder with every system plugin but libav, and a fresh registry: GStreamer then
    // really lacks avdec_h264, as on a box where gstreamer1.0-libav was never installed. The RTSP
    // camera (a real server, with the full plugin set) is fine; the box is not.
    const env = gstWithout('libgstlibav.so', path.join(tmp.dir, 'plugins'), path.join(tmp.dir, 'registry.bin'));
    const camera = await new RtspTestServer({ file: path.join(VIDEOS_DIR, CLIP) }).start();
    try {
      const cfg = writeConfig(tmp.dir, {
        gateway: { id: 'gw-gst', dataDir: path.join(tmp.dir, 'data3') },
        mqtt: { url: 'mqtt://127.0.0.1:1' },
        cameras: [{ id: 'gate', decoder: 'software', source: { kind: 'rtsp', url: camera.url } }],
      }, 'gst.json');
      const r = runDiag(cfg, ['--only', 'gstreamer,cameras', '--json'], env);
      assert.equal(r.status, 2, r.stdout + r.stderr);
      assert.ok(r.report && validateReport(r.report), JSON.stringify(validateReport.errors));
      const el = check(r.report, 'gstreamer.elements');
      assert.equal(el.status, 'fail');
      assert.match(el.detail ?? '', /missing avdec_h264 \(needed by gate\)/);
      assert.match(el.remedy ?? '', /install gstreamer1\.0-libav for avdec_h264/);
      assert.equal(check(r.report, 'camera.gate.source').status, 'pass', 'the camera itself answers');
      const decode = check(r.report, 'camera.gate.decode');
      assert.equal(decode.status, 'fail', decode.detail);
      assert.match(decode.detail ?? '', /avdec_h264/);
      assert.match(decode.remedy ?? '', /avdec_h264 is missing/);
    } finally {
      await camera.stop();
    }
  });

  it('a clip remux element missing (the isomp4 plugin with mp4mux hidden from GStreamer)', () => {
    const env = gstWithout('libgstisomp4.so', path.join(tmp.dir, 'plugins-no-mp4'), path.join(tmp.dir, 'registry-no-mp4.bin'));
    const cfg = writeConfig(tmp.dir, {
      gateway: { id: 'gw-clips', dataDir: path.join(tmp.dir, 'data-clips') },
      mqtt: { url: 'mqtt://127.0.0.1:1' },
      cameras: [{ id: 'lot', source: { kind: 'file', path: path.join(VIDEOS_DIR, CLIP), loop: true } }],
    }, 'clips.json');
    const r = runDiag(cfg, ['--only', 'clips', '--json'], env);
    assert.equal(r.status, 2, r.stdout + r.stderr);
    assert.ok(r.report && validateReport(r.report), JSON.stringify(validateReport.errors));
    assert.equal(check(r.report, 'clips.launcher').status, 'pass');
    const remux = check(r.report, 'clips.remux');
    assert.equal(remux.status, 'fail');
    assert.match(remux.detail ?? '', /missing mp4mux: clips cannot be cut/);
    assert.match(remux.remedy ?? '', /install gstreamer1\.0-plugins-good for mp4mux/);
    // Without a recording camera there is nothing to cut: not applicable rather than failed.
    const none = writeConfig(tmp.dir, { gateway: { id: 'gw-clips', dataDir: path.join(tmp.dir, 'data-clips') }, mqtt: { url: 'mqtt://127.0.0.1:1' }, cameras: [{ id: 'lot', record: { enabled: false }, source: { kind: 'file', path: path.join(VIDEOS_DIR, CLIP) } }] }, 'clips-off.json');
    const off = runDiag(none, ['--only', 'clips', '--json'], env);
    assert.equal(check(off.report!, 'clips.remux').status, 'skip');
  });

  it('the snapshot encoder missing (the jpeg plugin with jpegenc hidden from GStreamer)', () => {
    const env = gstWithout('libgstjpeg.so', path.join(tmp.dir, 'plugins-no-jpeg'), path.join(tmp.dir, 'registry-no-jpeg.bin'));
    const cfg = writeConfig(tmp.dir, {
      gateway: { id: 'gw-jpeg', dataDir: path.join(tmp.dir, 'data-jpeg') },
      mqtt: { url: 'mqtt://127.0.0.1:1' },
      cameras: [{ id: 'lot', source: { kind: 'file', path: path.join(VIDEOS_DIR, CLIP), loop: true } }],
    }, 'jpeg.json');
    const r = runDiag(cfg, ['--only', 'gstreamer', '--json'], env);
    assert.equal(r.status, 2, r.stdout + r.stderr);
    const el = check(r.report!, 'gstreamer.elements');
    assert.equal(el.status, 'fail');
    assert.match(el.detail ?? '', /missing jpegenc \(needed by snapshots\)/);
    assert.match(el.remedy ?? '', /install gstreamer1\.0-plugins-good for jpegenc/);
  });

  it('a hung broker and a frozen camera (accept, never answer) cost their deadlines concurrently, not their sum', async () => {
    // Accepts and never answers; notes what each connection speaks and whether an MQTT CONNECT and an
    // RTSP request were waiting at the same time (the groups running side by side, not one after the other).
    const open = new Map<net.Socket, 'mqtt' | 'rtsp' | 'other'>();
    let sideBySide = false;
    const silent = net.createServer((sock) => {
      sock.on('error', () => undefined);
      sock.once('data', (d: Buffer) => {
        open.set(sock, d[0] === 0x10 ? 'mqtt' : /^[A-Z_]+ rtsp:\/\//.test(d.toString('latin1')) ? 'rtsp' : 'other');
        const kinds = new Set(open.values());
        if (kinds.has('mqtt') && kinds.has('rtsp')) sideBySide = true;
      });
      sock.on('close', () => open.delete(sock));
    }).listen(0, '127.0.0.1');
    await new Promise((r) => silent.once('listening', r));
    const port = (silent.address() as net.AddressInfo).port;
    try {
      const { report, exitCode } = await diagInProcess({
        gateway: { id: 'gw-hung', dataDir: path.join(tmp.dir, 'data4') },
        mqtt: { url: `mqtt://127.0.0.1:${port}` },
        cameras: [{ id: 'frozen', source: { kind: 'rtsp', url: `rtsp://127.0.0.1:${port}/cam` } }],
      }, ['uplink', 'cameras']);
      assert.equal(exitCode, 2);
      assert.equal(check(report, 'uplink.tcp').status, 'pass', 'the port accepts');
      assert.equal(check(report, 'uplink.mqtt').status, 'fail');
      assert.match(check(report, 'uplink.mqtt').detail ?? '', /no CONNACK within 10 s/);
      const cam = check(report, 'camera.frozen.source');
      assert.equal(cam.status, 'fail');
      assert.match(cam.detail ?? '', /no answer within 8000 ms/);
      // CONNECT waits 10 s and RTSP 8 s, side by side: both were waiting on the silent port at once.
      assert.ok(sideBySide, 'the RTSP probe and the MQTT CONNECT waited at the same time');
    } finally {
      silent.close();
    }
  });
});
