import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { loadOrCreateIdentity } from '../../agent/identity/gateway-identity.js';
import { startCli, stopProcess } from '../support/agent-cli.js';
import { MosquittoBroker } from '../support/mosquitto.js';
import { generateTestPki, type TestPki } from '../support/tls.js';
import { tempDir } from '../support/tmp.js';
import { waitFor } from '../support/wait.js';
import { GatewayPublisher } from './support/gateway-publisher.js';

describe('edge-agent receive over TLS with a client certificate and a password', function () {
  this.timeout(120000);
  const tmp = tempDir('receive-tls-');
  let pki: TestPki;
  let broker: MosquittoBroker;
  let gw: GatewayPublisher;

  before(async () => {
    pki = generateTestPki(tmp.dir);
    const passwd = path.join(tmp.dir, 'passwd');
    execFileSync('mosquitto_passwd', ['-b', '-c', passwd, 'central', 'receiver-pw'], { stdio: 'ignore' });
    execFileSync('mosquitto_passwd', ['-b', passwd, 'gw', 'gateway-pw'], { stdio: 'ignore' });
    broker = await new MosquittoBroker({
      listenerConfig: ['listener {port} 127.0.0.1', `cafile ${pki.ca}`, `certfile ${pki.serverCert}`, `keyfile ${pki.serverKey}`, 'require_certificate true', 'allow_anonymous false', `password_file ${passwd}`],
      extraConfig: ['user root'],
    }).start();
    gw = new GatewayPublisher(`mqtts://127.0.0.1:${broker.port}`, 'edge', 'gw-tls', loadOrCreateIdentity(path.join(tmp.dir, 'gw')));
    await gw.connect({ ca: readFileSync(pki.ca), cert: readFileSync(pki.clientCert), key: readFileSync(pki.clientKey), username: 'gw', password: 'gateway-pw' });
    await gw.publishStatus();
  });
  after(async () => {
    await gw?.close();
    await broker?.dispose();
    tmp.cleanup();
  });

  it('connects with --ca/--cert/--key and a password from the environment, and receives', async () => {
    const args = ['receive', '--broker', `mqtts://127.0.0.1:${broker.port}`, '--out', path.join(tmp.dir, 'out'), '--client-id', 'central-tls',
      '--ca', pki.ca, '--cert', pki.clientCert, '--key', pki.clientKey, '--username', 'central', '--password-env', 'RECV_PW'];
    const proc = startCli(args, { RECV_PW: 'receiver-pw' });
    try {
      // The retained status arrives only once the subscriptions stand ('connected to' comes before them: an event sent then was lost).
      await waitFor(() => proc.log.includes('connected to') && proc.log.includes('status gw-tls:'), { what: `TLS connection and subscription: ${proc.log}`, timeoutMs: 60000 });
      await gw.publishEvent({ id: 't1', seq: 1, type: 'start', camera: 'cam1', label: 'bus', objectId: 'o9' });
      await waitFor(() => proc.log.includes('event gw-tls seq=1 id=t1'), { what: `event line: ${proc.log}` });
      assert.ok(!proc.log.includes('receiver-pw'), 'the password never reaches the output');
    } finally {
      assert.equal(await stopProcess(proc), 0, proc.log);
    }
  });

  it('refuses to start when the password variable is not set', async () => {
    const proc = startCli(['receive', '--broker', `mqtts://127.0.0.1:${broker.port}`, '--out', path.join(tmp.dir, 'out2'), '--password-env', 'NOT_SET_ANYWHERE']);
    const code = await new Promise<number | null>((resolve) => proc.once('exit', resolve));
    assert.equal(code, 1);
    assert.match(proc.log, /RECEIVER_BAD_OPTION: environment variable NOT_SET_ANYWHERE is not set/);
  });

  it('refuses to start when a TLS file named on the command line cannot be read', async () => {
    const missing = path.join(tmp.dir, 'no-such-client.key');
    const proc = startCli(['receive', '--broker', `mqtts://127.0.0.1:${broker.port}`, '--out', path.join(tmp.dir, 'out3'), '--ca', pki.ca, '--cert', pki.clientCert, '--key', missing]);
    try {
      // A receiver that went on without the key would run until stopped: bounded, and killed below.
      await waitFor(() => proc.exitCode !== null, { timeoutMs: 60000, what: `receive exits: ${proc.log}` });
      assert.equal(proc.exitCode, 1);
      assert.ok(proc.log.includes(`RECEIVER_TLS_FILE: cannot read the client key ${missing}`), proc.log);
    } finally {
      if (proc.exitCode === null) await stopProcess(proc, 'SIGKILL');
    }
  });
});
