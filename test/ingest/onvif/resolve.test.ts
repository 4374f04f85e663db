import assert from 'node:assert/strict';
import { AgentError } from '../../../agent/core/errors.js';
import { resolveOnvifStream, resolveOnvifStreamUri, type OnvifSource } from '../../../agent/ingest/onvif/resolve.js';
import { FakeOnvifDevice } from '../../support/fake-onvif.js';
import { freePort } from '../../support/ports.js';

async function rejectsWith(p: Promise<unknown>, code: string): Promise<AgentError> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof AgentError, `expected AgentError, got ${String(err)}`);
    assert.equal(err.code, code, err.message);
    assert.ok(err.remedy && err.remedy.length > 10, 'a remedy a technician can act on');
    return err;
  }
  assert.fail(`expected ${code}`);
}

describe('ONVIF stream resolution', () => {
  let device: FakeOnvifDevice;
  let rtspUrl: string;
  const src = (over: Partial<OnvifSource> = {}): OnvifSource => ({ kind: 'onvif', host: '127.0.0.1', port: device.httpPort, username: 'admin', password: 's3cret', ...over });

  before(async () => {
    rtspUrl = `rtsp://127.0.0.1:${await freePort()}/cam`;
    device = await new FakeOnvifDevice({ username: 'admin', password: 's3cret', rtspUrl }).start();
  });
  after(() => device.stop());

  it('resolves the first profile to its RTSP URI with good credentials (WS-Security digest checked)', async () => {
    device.requests.length = 0;
    assert.equal(await resolveOnvifStreamUri(src()), rtspUrl);
    const actions = device.requests.map((r) => r.action);
    for (const a of ['GetSystemDateAndTime', 'GetServices', 'GetProfiles', 'GetStreamUri']) assert.ok(actions.includes(a), `${a} in ${actions.join(',')}`);
    assert.deepEqual(device.requests.filter((r) => r.action === 'GetStreamUri').map((r) => r.auth), ['ok']);
  });

  it('resolves a named profile and lists the profiles the device has', async () => {
    const r = await resolveOnvifStream(src({ profile: 'sub' }));
    assert.equal(r.uri, `${rtspUrl}_sub`);
    assert.deepEqual(r.profiles.map((p) => p.token), ['main', 'sub']);
    assert.equal(r.profile.width, 640);
  });

  it('reads the password from a secret reference', async () => {
    process.env.ONVIF_TEST_PASSWORD = 's3cret';
    try {
      assert.equal(await resolveOnvifStreamUri(src({ password: { env: 'ONVIF_TEST_PASSWORD' } })), rtspUrl);
    } finally {
      delete process.env.ONVIF_TEST_PASSWORD;
    }
  });

  it('reports a wrong password as ONVIF_AUTH_FAILED', async () => {
    device.requests.length = 0;
    await rejectsWith(resolveOnvifStreamUri(src({ password: 'wrong' })), 'ONVIF_AUTH_FAILED');
    assert.ok(device.requests.some((r) => r.auth === 'bad'), 'the device saw and refused a digest');
  });

  it('reports missing credentials on a device that needs them as ONVIF_AUTH_FAILED', async () => {
    await rejectsWith(resolveOnvifStreamUri(src({ username: undefined, password: undefined })), 'ONVIF_AUTH_FAILED');
  });

  it('reports an unknown profile as ONVIF_NO_PROFILE naming the ones there are', async () => {
    const err = await rejectsWith(resolveOnvifStreamUri(src({ profile: 'nope' })), 'ONVIF_NO_PROFILE');
    assert.match(err.message, /main, sub/);
  });

  it('reports nothing listening as ONVIF_UNREACHABLE, from the refusal rather than the deadline', async () => {
    const port = await freePort();
    const err = await rejectsWith(resolveOnvifStreamUri({ kind: 'onvif', host: '127.0.0.1', port, username: 'a', password: 'b' }, { timeoutMs: 5000 }), 'ONVIF_UNREACHABLE');
    assert.match(err.message, /ECONNREFUSED/, 'the refused connection is reported, not a wait for the deadline');
  });

  it('works with an old device without GetServices, and with profiles bound to no listed video source', async () => {
    const odd = await new FakeOnvifDevice({ username: 'admin', password: 's3cret', rtspUrl, legacy: true, profileSourceToken: 'NotListed' }).start();
    try {
      assert.equal(await resolveOnvifStreamUri({ kind: 'onvif', host: '127.0.0.1', port: odd.httpPort, username: 'admin', password: 's3cret' }), rtspUrl);
      assert.deepEqual(odd.requests.map((r) => r.action), ['GetSystemDateAndTime', 'GetServices', 'GetCapabilities', 'GetProfiles', 'GetStreamUri']);
    } finally {
      await odd.stop();
    }
  });
});
