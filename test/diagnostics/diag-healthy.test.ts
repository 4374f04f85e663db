import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { MosquittoBroker } from '../support/mosquitto.js';
import { tempDir, VIDEOS_DIR } from '../support/tmp.js';
import { check, CLIP, runDiag, validateReport, writeConfig } from './helpers.js';

describe('edge-agent diag on a healthy setup (real Mosquitto, a file camera on a street clip)', () => {
  const tmp = tempDir('diag-healthy-');
  const broker = new MosquittoBroker();
  before(() => broker.start());
  after(async () => {
    await broker.dispose();
    tmp.cleanup();
  });

  it('is all pass or warn, names every check group, and --json validates against the documented schema', () => {
    const cfg = writeConfig(tmp.dir, {
      gateway: { id: 'gw-healthy', dataDir: path.join(tmp.dir, 'data') },
      mqtt: { url: broker.url },
      cameras: [{ id: 'street', source: { kind: 'file', path: path.join(VIDEOS_DIR, CLIP), loop: true } }],
    });
    // A stand-in for the Raspberry Pi firmware's sensor tool (this VM has none), first on PATH: a known
    // temperature and no throttling, so the checks must report exactly what it says.
    const bin = path.join(tmp.dir, 'bin');
    mkdirSync(bin, { recursive: true });
    writeFileSync(path.join(bin, 'vcgencmd'), '#!/bin/sh\ncase "$1" in\n  measure_temp) echo "temp=52.1\'C" ;;\n  get_throttled) echo "throttled=0x0" ;;\n  *) exit 1 ;;\nesac\n');
    chmodSync(path.join(bin, 'vcgencmd'), 0o755);
    const r = runDiag(cfg, ['--json'], { PATH: `${bin}:${process.env.PATH ?? ''}` });
    assert.ok(r.report, r.stderr);
    const report = r.report;
    assert.ok(validateReport(report), JSON.stringify(validateReport.errors));
    assert.equal(report.configSource, cfg, 'says which configuration it diagnosed');
    const failed = report.checks.filter((c) => c.status === 'fail');
    assert.deepEqual(failed, [], 'no check fails on a healthy setup');
    assert.equal(r.status, report.verdict === 'pass' ? 0 : 1, r.stderr);
    for (const g of ['system', 'clock', 'uplink', 'gstreamer', 'clips', 'camera.street', 'detector', 'storage']) {
      assert.ok(report.checks.some((c) => c.group === g), `group ${g} reported`);
    }
    // The links that must really work here, measured, not assumed.
    assert.equal(check(report, 'uplink.mqtt').status, 'pass');
    assert.ok(['pass', 'warn'].includes(check(report, 'uplink.rtt').status));
    assert.equal(typeof check(report, 'uplink.rtt').value, 'number');
    assert.equal(check(report, 'gstreamer.elements').status, 'pass');
    assert.equal(check(report, 'clips.launcher').status, 'pass', 'the camera records (the default): its clips can be cut');
    assert.equal(check(report, 'clips.remux').status, 'pass');
    const decode = check(report, 'camera.street.decode');
    assert.ok(['pass', 'warn'].includes(decode.status), decode.detail);
    assert.ok(typeof decode.value === 'number' && decode.value > 0, `measured fps ${String(decode.value)}`);
    assert.match(decode.detail ?? '', /avdec_h264|decodebin|software/);
    assert.equal(check(report, 'detector.model').status, 'pass');
    assert.ok(typeof check(report, 'detector.inference').value === 'number');
    // Capacity from that same real inference: the variant, its time here, the camera estimate by the documented formula.
    const cap = report.capacity;
    assert.ok(cap, 'the report carries the capacity section');
    assert.deepEqual([cap.model.manifest, cap.model.file, cap.model.input], ['centernet-512x288-road.manifest.json', 'centernet-512x288-road.onnx', '512x288']);
    assert.ok(cap.inferenceMs > 0 && cap.inferenceMs < 60000, `inference ${cap.inferenceMs} ms`);
    assert.ok(Math.abs(Math.round(cap.inferenceMs) - Number(check(report, 'detector.inference').value)) <= 1, 'the detector.inference measurement, not another');
    assert.deepEqual(cap.cameras.map((c) => [c.id, c.detectFps, c.detectSize, c.regionsPerFrameBusy]), [['street', 5, '640x360', 1]], 'a 640x360 frame is one region of the frame-shaped model however busy');
    assert.equal(cap.camerasCarried, Math.floor((0.5 * 1000) / (cap.inferenceMs * 1) / 5));
    assert.equal(cap.busyLoadPercent, Math.round((cap.inferenceMs * 5) / 10));
    const capCheck = check(report, 'detector.capacity');
    assert.ok(['pass', 'warn'].includes(capCheck.status));
    assert.deepEqual([capCheck.value, capCheck.unit], [cap.camerasCarried, 'cameras']);
    assert.match(capCheck.detail ?? '', /centernet-512x288-road\.onnx \(512x288.*ms per inference: about \d+ camera/);
    // The sensor's reading, as it gave it.
    const temp = check(report, 'system.temperature');
    assert.deepEqual([temp.status, temp.value, temp.unit], ['pass', 52.1, '°C'], JSON.stringify(temp));
    assert.match(temp.detail ?? '', /52\.1 °C \(vcgencmd measure_temp\)/);
    assert.deepEqual([check(report, 'system.throttling').status, check(report, 'system.throttling').value], ['pass', '0x0']);
    assert.deepEqual([check(report, 'system.child-spawn').status, check(report, 'system.child-spawn').value], ['pass', 'posix_spawn'], 'the set-up built the addon');
    for (const c of report.checks.filter((x) => x.status === 'warn')) assert.ok(c.remedy && c.remedy.length > 10, `${c.id} has a remedy`);
  });
});
