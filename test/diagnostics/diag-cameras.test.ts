import assert from 'node:assert/strict';
import path from 'node:path';
import { validateConfig } from '../../agent/config/validate.js';
import { runDiagnostics } from '../../agent/diagnostics/index.js';
import { FakeOnvifDevice } from '../support/fake-onvif.js';
import { RtspTestServer } from '../support/rtsp.js';
import { tempDir, VIDEOS_DIR } from '../support/tmp.js';
import { check, CLIP, validateReport } from './helpers.js';

describe('runDiagnostics: cameras end to end (fake ONVIF device → real RTSP server → real decode)', () => {
  const tmp = tempDir('diag-cam-');
  let rtsp: RtspTestServer;
  let onvif: FakeOnvifDevice;

  before(async () => {
    rtsp = await new RtspTestServer({ file: path.join(VIDEOS_DIR, CLIP) }).start();
    onvif = await new FakeOnvifDevice({ username: 'admin', password: 'cam-pass', rtspUrl: rtsp.url }).start();
  });
  after(async () => {
    await onvif.stop();
    await rtsp.stop();
    tmp.cleanup();
  });

  it('follows an ONVIF camera to its RTSP stream and decodes it; names a wrong ONVIF password', async () => {
    const v = validateConfig({
      gateway: { id: 'gw-cams', dataDir: path.join(tmp.dir, 'data') },
      mqtt: { url: 'mqtt://127.0.0.1:1' },
      cameras: [
        { id: 'gate', source: { kind: 'onvif', host: '127.0.0.1', port: onvif.httpPort, username: 'admin', password: 'cam-pass' }, detect: { fps: 5 } },
        { id: 'yard', source: { kind: 'onvif', host: '127.0.0.1', port: onvif.httpPort, username: 'admin', password: 'nope' } },
      ],
    });
    assert.ok(v.ok, JSON.stringify(!v.ok && v.problems));
    const report = await runDiagnostics(v.config, { only: ['cameras'] });
    assert.ok(validateReport(report), JSON.stringify(validateReport.errors));

    assert.equal(check(report, 'camera.gate.onvif').status, 'pass');
    assert.equal(check(report, 'camera.gate.onvif').value, rtsp.url);
    const source = check(report, 'camera.gate.source');
    assert.equal(source.status, 'pass', source.detail);
    assert.match(source.detail ?? '', /DESCRIBE 200, H264\/90000/);
    const decode = check(report, 'camera.gate.decode');
    assert.ok(['pass', 'warn'].includes(decode.status), decode.detail);
    assert.ok(typeof decode.value === 'number' && decode.value > 0);
    assert.match(decode.detail ?? '', /avdec_h264/, 'the decoder in use is named');

    const yard = check(report, 'camera.yard.onvif');
    assert.equal(yard.status, 'fail');
    assert.equal(yard.value, 'ONVIF_AUTH_FAILED');
    assert.match(yard.remedy ?? '', /check the camera username\/password/);
    assert.equal(check(report, 'camera.yard.decode').status, 'skip');
    assert.equal(report.verdict, 'fail');
  });
});
