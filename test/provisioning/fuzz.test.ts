import assert from 'node:assert/strict';
import path from 'node:path';
import { MosquittoBroker } from '../support/mosquitto.js';
import { tempDir } from '../support/tmp.js';
import { prng } from '../support/prng.js';
import { waitFor } from '../support/wait.js';
import { signCommand, signDesiredConfig } from '../../agent/provisioning/operator/sign.js';
import { makeConfig, makeFleet, PREFIX, startGateway, validated, type Gateway } from './support/fixture.js';
import { OperatorProbe } from './support/operator-probe.js';
import { DESIRED_TOPIC, requestTopic, responseTopic, under } from '../../agent/contract/index.js';

describe('provisioning: fuzz through the real broker', function () {
  let broker: MosquittoBroker;
  let tmp: { dir: string; cleanup: () => void };
  let gw: Gateway;
  let op: OperatorProbe;

  before(async () => {
    tmp = tempDir('prov-fuzz-');
    broker = await new MosquittoBroker().start();
  });
  after(async () => {
    await op?.stop();
    await gw?.stop();
    await broker.dispose();
    tmp.cleanup();
  });

  it('survives 1000+ malformed, truncated, forged and replayed configs and commands: same config, still answers config/get', async () => {
    const seed = Number(process.env.FUZZ_SEED ?? 20261129);
    const rnd = prng(seed);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)] as T;
    const GW = 'gw-fuzz';
    const dataDir = path.join(tmp.dir, GW);
    const fleet = makeFleet(tmp.dir);
    const untrusted = makeFleet(tmp.dir, 'untrusted');
    const config = makeConfig(dataDir, broker.url, [fleet.pubFile], { cameras: ['cam-1', 'cam-2'] });
    gw = await startGateway({ id: GW, dataDir, fileConfig: validated(config) });
    op = await new OperatorProbe(broker.url, `${PREFIX}/${GW}`).start();
    const base = await op.desired(JSON.stringify(signDesiredConfig(fleet, { gateway: GW, version: 3, config })));
    assert.equal(base.status, 'applied');
    const oldCmd = JSON.stringify(signCommand(fleet, { gateway: GW, command: 'camera/disable', args: { camera: 'cam-1' }, id: 'orig' }));
    assert.equal((await op.request('camera/disable', oldCmd, 'orig')).status, 'ok');
    const appliedBefore = gw.host.applied.length;

    const validDesired = JSON.stringify(signDesiredConfig(fleet, { gateway: GW, version: 4, config }));
    const mutators: Array<() => Buffer | string> = [
      () => Buffer.from(Array.from({ length: Math.floor(rnd() * 300) }, () => Math.floor(rnd() * 256))),
      () => validDesired.slice(0, Math.floor(rnd() * validDesired.length)),
      () => {
        const j = JSON.parse(validDesired) as { signature: string };
        const i = Math.floor(rnd() * j.signature.length);
        return JSON.stringify({ ...j, signature: j.signature.slice(0, i) + (j.signature[i] === 'A' ? 'B' : 'A') + j.signature.slice(i + 1) });
      },
      () => JSON.stringify(signDesiredConfig(untrusted, { gateway: GW, version: 100 + Math.floor(rnd() * 1e6), config: { ...config, cameras: [] } })),
      () => JSON.stringify(signDesiredConfig(fleet, { gateway: GW, version: Math.floor(rnd() * 3), config })),
      () => JSON.stringify(signDesiredConfig(fleet, { gateway: `gw-${Math.floor(rnd() * 1e6)}`, version: 1e6, config })),
      () => JSON.stringify({ protected: 'e30', payload: 'e30', signature: '' }),
      () => JSON.stringify(pick([null, 1, 'x', [], {}, { version: 99, config }, { protected: 1, payload: 2, signature: 3 }])),
      () => JSON.stringify(signCommand(fleet, { gateway: GW, command: 'restart' })),
      () => Buffer.alloc(16384 + Math.floor(rnd() * 5000), 0x20),
    ];
    const commandNames = ['config/get', 'camera/enable', 'camera/disable', 'snapshot', 'clip', 'diag', 'restart', 'nope', 'camera'];
    const cmdMutators: Array<(name: string) => Buffer | string> = [
      () => oldCmd,
      () => oldCmd.slice(0, Math.floor(rnd() * oldCmd.length)),
      (n) => JSON.stringify(signCommand(untrusted, { gateway: GW, command: n, args: { camera: 'cam-2' } })),
      (n) => JSON.stringify(signCommand(fleet, { gateway: GW, command: n, args: { camera: 'cam-2' }, ts: Date.now() - 1e7 })),
      (n) => JSON.stringify(signCommand(fleet, { gateway: GW, command: n === 'restart' ? 'diag' : 'restart', args: {} })),
      (n) => JSON.stringify({ id: `u${Math.floor(rnd() * 1e9)}`, args: pick([{}, { camera: 1 }, { camera: 'cam-1' }, { from: 'x', to: [] }, null]) , cmd: n }),
      () => Buffer.from(Array.from({ length: Math.floor(rnd() * 200) }, () => Math.floor(rnd() * 256))),
      () => JSON.stringify({ id: 'x'.repeat(5000) }),
    ];

    let desiredSent = 0;
    // An empty payload is how an operator clears the retained desired config: the gateway ignores it
    // silently (ProvisioningService.onDesired). Every other bad config must be answered with a rejection.
    let emptyDesired = 0;
    let requestsSent = 0;
    const responsesBefore = op.responses.length;
    const reportsBefore = op.reports.length;
    for (let i = 0; i < 1100; i++) {
      if (rnd() < 0.5) {
        const payload = pick(mutators)();
        await op.mqtt.publishAsync(under(op.root, DESIRED_TOPIC), payload, { qos: 1, retain: rnd() < 0.5 });
        desiredSent++;
        if (payload.length === 0) emptyDesired++;
      } else {
        const name = pick(commandNames);
        await op.mqtt.publishAsync(under(op.root, requestTopic(name)), pick(cmdMutators)(name), { qos: 1 });
        requestsSent++;
      }
    }
    // Messages are handled in order: once a marker sent last is answered, all before it were handled.
    const marker = JSON.stringify(signDesiredConfig(fleet, { gateway: 'gw-marker', version: 777777, config }));
    await op.mqtt.publishAsync(under(op.root, DESIRED_TOPIC), marker, { qos: 1 });
    const markerReport = await waitFor(() => op.reports.find((r) => r.version === 777777), { timeoutMs: 60000, what: 'the marker report' });
    assert.equal(markerReport.error?.code, 'PROVISIONING_WRONG_GATEWAY');
    await waitFor(() => op.responses.length - responsesBefore >= requestsSent, { timeoutMs: 60000, what: `${requestsSent} command answers` });

    assert.ok(desiredSent + requestsSent >= 1000);
    assert.equal(op.responses.length - responsesBefore, requestsSent, 'one answer per request');
    // The marker's report is the last one; every non-empty fuzzed config was answered before it.
    assert.equal(op.reports.length - reportsBefore - 1, desiredSent - emptyDesired, `every bad config answered (${emptyDesired} empty ones ignored)`);
    assert.equal(op.reports.at(-1), markerReport, 'nothing answered after the marker');
    assert.ok(op.reports.slice(reportsBefore).every((r) => r.status === 'rejected'), 'a fuzzed config was applied');
    // Well-formed unsigned read-only requests may legitimately succeed; nothing that changes the gateway may.
    const succeeded = op.responses.slice(responsesBefore).filter((r) => r.body.status === 'ok').map((r) => r.topic.slice(under(op.root, responseTopic('')).length));
    assert.deepEqual(succeeded.filter((n) => !['config/get', 'snapshot', 'diag', 'clip'].includes(n)), [], 'a fuzzed changing command succeeded');
    assert.equal(gw.host.applied.length, appliedBefore, 'a fuzzed config reached the host');
    assert.deepEqual(gw.host.enabledCalls, [{ camera: 'cam-1', enabled: false }], 'a fuzzed command reached the host');
    assert.equal(gw.host.restarts, 0);
    assert.equal(gw.service.status().version, 3);
    assert.equal(gw.service.status().configHash, base.configHash);
    const got = await op.request('config/get', { id: 'final' }, 'final');
    assert.equal(got.status, 'ok');
    assert.equal((got.data as { version: number }).version, 3);
    assert.equal((got.data as { configHash: string }).configHash, base.configHash);
  });
});
