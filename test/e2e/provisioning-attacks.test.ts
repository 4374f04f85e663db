import assert from 'node:assert/strict';
import path from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import { loadFleetKey } from '../../agent/provisioning/operator/fleet-keys.js';
import { signCommand, signDesiredConfig } from '../../agent/provisioning/operator/sign.js';
import { runCli, startCli, stopProcess } from '../support/agent-cli.js';
import { MosquittoBroker } from '../support/mosquitto.js';
import { MqttCollector } from '../support/mqtt-collector.js';
import { ShiftedClock } from '../support/shifted-clock.js';
import { tempDir } from '../support/tmp.js';
import { waitFor } from '../support/wait.js';
import { writeAgentConfig } from './support.js';
import type { CommandResponse as Answer, ConfigReport as Reported, HealthMessage as Health } from '../../agent/contract/index.js';

/**
 * Issue 11, tried as an attacker with broker access would: the shipped CLI runs the gateway, a plain
 * MQTT client replays what it captured on the broker.
 */
describe('provisioning under attack (real broker, the shipped CLI)', function () {
  this.timeout(400000);
  const tmp = tempDir('agent-attack-');
  const broker = new MosquittoBroker();
  const keys = path.join(tmp.dir, 'keys');
  const readerKeys = path.join(tmp.dir, 'reader');
  let attacker: MqttClient;

  const agentConfig = (gw: string, extra: Record<string, unknown> = {}): string => writeAgentConfig(tmp.dir, gw, broker.url, {
    health: { intervalSeconds: 2 },
    detection: { enabled: false },
    provisioning: { trustedKeys: [path.join(keys, 'fleet.pub')], applyTimeoutSeconds: 20, maxClockSkewSeconds: 60, ...extra },
    cameras: [{ id: 'a', source: { kind: 'test' }, record: { enabled: false } }],
  });
  const streaming = (h: Health | undefined): boolean => h?.cameras.a?.state === 'streaming';
  /** The agent reads its clock file every 100 ms: set it, then wait for a health report stamped on the new clock. */
  async function setClock(clock: ShiftedClock, collector: MqttCollector, offsetMs: number): Promise<void> {
    const since = collector.messages.length;
    clock.set(offsetMs);
    const onNewClock = (h: Health): boolean => Math.abs(Date.parse(h.ts) - (Date.now() + offsetMs)) < 60_000;
    await waitFor(() => collector.json<Health>('/health', since).some(onNewClock), { timeoutMs: 60000, what: `a health report on the clock shifted by ${offsetMs} ms` });
  }
  /** Publishes as the attacker and waits for the gateway's next answer on response/<command>. */
  async function replay(collector: MqttCollector & { root: string }, command: string, payload: string | Buffer): Promise<Answer> {
    const before = collector.messages.length;
    await attacker.publishAsync(`${collector.root}/request/${command}`, payload, { qos: 1 });
    return collector.waitForMessage<Answer>(`/response/${command}`, () => true, 60000, before);
  }
  const request = (gw: string, name: string, args: Record<string, unknown>, key?: string): ReturnType<typeof runCli> =>
    runCli(['request', '--broker', broker.url, '--gateway', gw, name, JSON.stringify(args), '--timeout', '60', ...(key ? ['--key', key] : [])]);

  before(async () => {
    await broker.start();
    assert.equal(runCli(['keys', 'generate', '--out', keys]).status, 0);
    assert.equal(runCli(['keys', 'generate', '--out', readerKeys]).status, 0);
    attacker = await mqtt.connectAsync(broker.url, { protocolVersion: 5, clientId: 'attacker' });
  });
  after(async () => {
    await attacker.endAsync();
    await broker.dispose();
    tmp.cleanup();
  });

  it('a config for another gateway, replayed on this one, does not use up its version: its own version 2 is applied', async () => {
    const collector = Object.assign(await new MqttCollector(broker.url, 'edge/gw-b/#').start(), { root: 'edge/gw-b' });
    const agent = startCli(['run', '--config', agentConfig('gw-b')]);
    try {
      await collector.waitForMessage<Health>('/health', streaming, 120000);
      // Captured from gw-a's retained config/desired: authentic, signed by the fleet, version 500.
      const forGwA = signDesiredConfig(loadFleetKey(path.join(keys, 'fleet.key')), { gateway: 'gw-a', version: 500, config: { mqtt: { url: broker.url } } });
      await attacker.publishAsync('edge/gw-b/config/desired', JSON.stringify(forGwA), { qos: 1, retain: true });
      const refused = await collector.waitForMessage<Reported>('/config/reported', (r) => r.version === 500);
      assert.equal(refused.error?.code, 'PROVISIONING_WRONG_GATEWAY');
      const own = runCli(['provision', 'push', '--broker', broker.url, '--gateway', 'gw-b', '--key', path.join(keys, 'fleet.key'), '--config', agentConfig('gw-b'), '--version', '2', '--timeout', '90']);
      assert.equal(own.status, 0, own.stdout + own.stderr);
      assert.match(own.stdout, /applied/);
    } finally {
      await stopProcess(agent);
      await collector.stop();
    }
  });

  it('a config rejected because the gateway clock was wrong at boot is applied once the clock is right', async () => {
    const collector = Object.assign(await new MqttCollector(broker.url, 'edge/gw-rtc/#').start(), { root: 'edge/gw-rtc' });
    const clock = new ShiftedClock(path.join(tmp.dir, 'gw-rtc.clock'));
    clock.set(-3 * 86400e3); // no RTC: boots three days behind until NTP answers
    const agent = clock.startCli(['run', '--config', agentConfig('gw-rtc')]);
    try {
      await collector.waitForMessage<Health>('/health', streaming, 120000);
      const push = runCli(['provision', 'push', '--broker', broker.url, '--gateway', 'gw-rtc', '--key', path.join(keys, 'fleet.key'), '--config', agentConfig('gw-rtc'), '--version', '1', '--timeout', '90']);
      assert.notEqual(push.status, 0);
      assert.match(push.stdout + push.stderr, /PROVISIONING_BAD_ISSUED_AT/);
      clock.set(0); // NTP synced
      await collector.waitForMessage<Reported>('/config/reported', (r) => r.version === 1 && r.status === 'applied', 90000);
    } finally {
      await stopProcess(agent);
      await collector.stop();
    }
  });

  it('a captured signed camera/disable replayed after the clock was set back is refused, also after a restart', async () => {
    const collector = Object.assign(await new MqttCollector(broker.url, 'edge/gw-clock/#').start(), { root: 'edge/gw-clock' });
    const clock = new ShiftedClock(path.join(tmp.dir, 'gw-clock.clock'));
    const config = agentConfig('gw-clock');
    let agent = clock.startCli(['run', '--config', config]);
    const fleet = loadFleetKey(path.join(keys, 'fleet.key'));
    try {
      await collector.waitForMessage<Health>('/health', streaming, 120000);
      // The operator disables and re-enables the camera; the attacker records the signed disable.
      const captured = JSON.stringify(signCommand(fleet, { gateway: 'gw-clock', command: 'camera/disable', args: { camera: 'a' } }));
      assert.equal((await replay(collector, 'camera/disable', captured)).status, 'ok');
      assert.equal((await replay(collector, 'camera/enable', JSON.stringify(signCommand(fleet, { gateway: 'gw-clock', command: 'camera/enable', args: { camera: 'a' } })))).status, 'ok');
      // An hour later the operator sends another command (its nonce store forgets the old ones by then) ...
      await setClock(clock, collector, 3600e3);
      const later = signCommand(fleet, { gateway: 'gw-clock', command: 'camera/enable', args: { camera: 'a' }, ts: Date.now() + 3600e3 });
      assert.equal((await replay(collector, 'camera/enable', JSON.stringify(later))).status, 'ok');
      // ... then the gateway clock is set back an hour (spoofed NTP) and the captured disable replayed.
      await setClock(clock, collector, 0);
      const refused = await replay(collector, 'camera/disable', captured);
      assert.equal(refused.status, 'error', JSON.stringify(refused));
      assert.equal(refused.error?.code, 'COMMAND_OUT_OF_ORDER');
      assert.equal(await stopProcess(agent), 0);
      agent = clock.startCli(['run', '--config', config]);
      await collector.waitForMessage<Health>('/health', streaming, 120000, collector.messages.length);
      const again = await replay(collector, 'camera/disable', captured);
      assert.equal(again.error?.code, 'COMMAND_OUT_OF_ORDER', JSON.stringify(again));
      await collector.waitForMessage<Health>('/health', streaming, 60000, collector.messages.length);
    } finally {
      await stopProcess(agent);
      await collector.stop();
    }
  });

  it('snapshot, clip and diag are refused unsigned with a code, a reader key may only read, and costly commands are capped; the camera keeps streaming', async () => {
    const collector = await new MqttCollector(broker.url, 'edge/gw-read/#').start();
    const agent = startCli(['run', '--config', agentConfig('gw-read', { readerKeys: [path.join(readerKeys, 'fleet.pub')] })]);
    const answer = (r: ReturnType<typeof runCli>): Answer => JSON.parse(r.stdout) as Answer;
    const fleetKey = path.join(keys, 'fleet.key');
    const readerKey = path.join(readerKeys, 'fleet.key');
    try {
      await collector.waitForMessage<Health>('/health', streaming, 120000);
      const now = Date.now();
      for (const [name, args] of [['snapshot', { camera: 'a' }], ['clip', { camera: 'a', from: now - 20000, to: now - 10000 }], ['diag', {}]] as const) {
        const r = request('gw-read', name, args);
        assert.equal(r.status, 1, `unsigned ${name} ran: ${r.stdout}${r.stderr}`);
        assert.equal(answer(r).error?.code, 'COMMAND_UNSIGNED', r.stdout);
      }
      const readerDiag = request('gw-read', 'diag', {}, readerKey);
      assert.equal(readerDiag.status, 0, readerDiag.stdout + readerDiag.stderr);
      assert.equal(answer(request('gw-read', 'camera/disable', { camera: 'a' }, readerKey)).error?.code, 'COMMAND_NOT_PERMITTED');
      // diag may run twice a minute, whoever signs it.
      assert.equal(request('gw-read', 'diag', {}, fleetKey).status, 0);
      assert.equal(answer(request('gw-read', 'diag', {}, fleetKey)).error?.code, 'COMMAND_RATE_LIMITED');
      const future = answer(request('gw-read', 'clip', { camera: 'a', from: Date.now() + 86400e3, to: Date.now() + 86405e3 }, fleetKey));
      assert.equal(future.error?.code, 'COMMAND_TOO_FAR_AHEAD');
      await collector.waitForMessage<Health>('/health', streaming, 60000, collector.messages.length);
      assert.equal(agent.exitCode, null);
    } finally {
      await stopProcess(agent);
      await collector.stop();
    }
  });
});
