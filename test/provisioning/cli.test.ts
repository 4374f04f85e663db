import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import mqtt from 'mqtt';
import { AGENT_ARGV } from '../support/agent-cli.js';
import { MosquittoBroker } from '../support/mosquitto.js';
import { REPO_ROOT, tempDir } from '../support/tmp.js';
import { makeConfig, startGateway, validated, type Gateway } from './support/fixture.js';

/** Runs `edge-agent` asynchronously (the gateway under test lives in this process and must keep answering). */
function cli(args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [...AGENT_ARGV, ...args], { cwd: REPO_ROOT });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    p.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    p.on('exit', (status) => resolve({ status, stdout, stderr }));
  });
}

describe('provisioning: operator CLI (keys, provision push, request)', function () {
  // Each `edge-agent` start transpiles from source (tsx): seconds apiece on a loaded 2-core box.
  this.timeout(240000);
  let broker: MosquittoBroker;
  let tmp: { dir: string; cleanup: () => void };
  let gw: Gateway;

  before(async () => {
    tmp = tempDir('prov-cli-');
    broker = await new MosquittoBroker().start();
  });
  after(async () => {
    await gw?.stop();
    await broker.dispose();
    tmp.cleanup();
  });

  it('generates fleet keys, pushes a config until applied, refuses a stale push, and sends signed commands', async () => {
    const keysDir = path.join(tmp.dir, 'keys');
    const gen = await cli(['keys', 'generate', '--out', keysDir]);
    assert.equal(gen.status, 0, gen.stderr);
    assert.equal(statSync(path.join(keysDir, 'fleet.key')).mode & 0o777, 0o600);
    // CLI starts are slow on a loaded box: independent invocations run side by side.
    const againP = cli(['keys', 'generate', '--out', keysDir]);

    const dataDir = path.join(tmp.dir, 'gw-cli');
    const pub = path.join(keysDir, 'fleet.pub');
    gw = await startGateway({ id: 'gw-cli', dataDir, fileConfig: validated(makeConfig(dataDir, broker.url, [pub])) });
    const cfgFile = path.join(tmp.dir, 'desired.json');
    writeFileSync(cfgFile, JSON.stringify(makeConfig(dataDir, broker.url, [pub], { cameras: ['cam-1', 'cam-7'], password: 'cli-secret-99' })));
    const common = ['--broker', broker.url, '--gateway', 'gw-cli', '--timeout', '60'];
    const key = path.join(keysDir, 'fleet.key');

    // The uplink's retained online status carries the gateway public key (the runtime's statusPayload).
    const push = await cli(['provision', 'push', ...common, '--key', key, '--config', cfgFile, '--version', '3', '--encrypt-secrets', '--gateway-keys', path.join(tmp.dir, 'gateway-keys')]);
    const again = await againP;
    assert.equal(again.status, 1);
    assert.match(again.stderr, /FLEET_KEY_EXISTS/);
    assert.equal(push.status, 0, push.stderr + push.stdout);
    assert.match(push.stdout, /version 3 applied/);
    assert.deepEqual(gw.host.current.cameras.map((c) => c.id), ['cam-1', 'cam-7']);
    assert.equal(gw.host.current.mqtt.password, 'cli-secret-99');
    const retained = await mqtt.connectAsync(broker.url, { protocolVersion: 5 });
    const desiredOnBroker = new Promise<string>((resolve) => retained.on('message', (_t, p) => resolve(p.toString())));
    await retained.subscribeAsync('edge/gw-cli/config/desired');
    const onBroker = await desiredOnBroker;
    await retained.endAsync(true);
    assert.ok(onBroker.length > 100 && !Buffer.from(JSON.parse(onBroker).payload, 'base64url').toString().includes('cli-secret-99'), 'the secret crossed the broker in clear');

    const [stale, get, unsigned, disable] = await Promise.all([
      cli(['provision', 'push', ...common, '--key', key, '--config', cfgFile, '--version', '2']),
      cli(['request', ...common, 'config/get']),
      cli(['request', ...common, 'camera/disable', '{"camera":"cam-7"}']),
      cli(['request', ...common, '--key', key, 'camera/disable', '{"camera":"cam-7"}']),
    ]);
    assert.equal(stale.status, 1);
    assert.match(stale.stderr, /rejected \(PROVISIONING_STALE_VERSION/);

    assert.equal(get.status, 0, get.stderr);
    const answer = JSON.parse(get.stdout) as { status: string; data: { version: number } };
    assert.equal(answer.data.version, 3);
    assert.ok(!get.stdout.includes('cli-secret-99'));

    assert.equal(unsigned.status, 1);
    assert.match(unsigned.stdout, /COMMAND_UNSIGNED/);
    assert.equal(disable.status, 0, disable.stdout + disable.stderr);
    assert.deepEqual(gw.host.enabledCalls, [{ camera: 'cam-7', enabled: false }]);
  });

  it('refuses bad arguments, an unreachable broker and a silent gateway, each with its code (OPERATOR_*, FLEET_KEY_UNREADABLE, CONFIG_UNREADABLE)', async () => {
    const cfgFile = path.join(tmp.dir, 'args.json');
    writeFileSync(cfgFile, JSON.stringify(makeConfig(path.join(tmp.dir, 'gw-args'), broker.url, [])));
    const common = ['--broker', broker.url, '--gateway', 'gw-args', '--timeout', '5'];
    const missing = path.join(tmp.dir, 'nowhere');
    const cases: Array<[string[], string]> = [
      [['provision', 'push', ...common, '--key', missing, '--config', cfgFile, '--version', '0'], 'OPERATOR_BAD_ARGS: --version must be a positive integer'],
      [['request', ...common, 'camera/disable', '["cam-1"]'], 'OPERATOR_BAD_ARGS: args must be a JSON object'],
      [['provision', 'push', ...common, '--key', missing, '--config', cfgFile, '--version', '1'], `FLEET_KEY_UNREADABLE: cannot read the fleet private key ${missing}`],
      [['provision', 'push', ...common, '--key', missing, '--config', missing, '--version', '1'], `CONFIG_UNREADABLE: cannot read ${missing} as JSON`],
      [['request', ...common, '--ca', missing, 'config/get'], `OPERATOR_TLS_FILE_UNREADABLE: cannot read CA certificate ${missing}`],
      [['request', '--broker', 'mqtt://127.0.0.1:1', '--gateway', 'gw-args', '--timeout', '5', 'config/get'], 'OPERATOR_BROKER_UNREACHABLE: cannot connect to mqtt://127.0.0.1:1'],
      // No gateway answers under gw-args.
      [['request', '--broker', broker.url, '--gateway', 'gw-args', '--timeout', '1', 'config/get'], 'OPERATOR_TIMEOUT: no answer to config/get within 1 s'],
    ];
    const results = await Promise.all(cases.map(([args]) => cli(args)));
    cases.forEach(([args, expected], i) => {
      assert.equal(results[i].status, 1, args.join(' '));
      assert.ok((results[i].stdout + results[i].stderr).includes(expected), `${args.join(' ')}: ${results[i].stdout}${results[i].stderr}`);
    });
  });
});
