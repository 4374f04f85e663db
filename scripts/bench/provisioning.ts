/**
 * Provisioning figures: how fast the gateway checks (and refuses) desired configs, so a flood of forged
 * messages cannot starve it, and the round trip of a push and a command through a real Mosquitto.
 * Run: npx tsx scripts/bench/provisioning.ts
 */
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { loadOrCreateIdentity } from '../../agent/identity/gateway-identity.js';
import { checkDesiredConfig, type DesiredCheckContext } from '../../agent/provisioning/desired-config.js';
import { signDesiredConfig } from '../../agent/provisioning/operator/sign.js';
import { ProvisioningService } from '../../agent/provisioning/provisioning-service.js';
import { ed25519PrivateToX25519 } from '../../agent/provisioning/secret-box.js';
import { loadTrustStore } from '../../agent/provisioning/trust-store.js';
import { MosquittoBroker } from '../../test/support/mosquitto.js';
import { makeConfig, makeFleet, validated } from '../../test/provisioning/support/fixture.js';
import { OperatorProbe } from '../../test/provisioning/support/operator-probe.js';
import { TestHost } from '../../test/provisioning/support/test-host.js';
import { TestUplink } from '../../test/provisioning/support/test-uplink.js';

function rate(n: number, fn: (i: number) => void): { perS: number; usEach: number } {
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) fn(i);
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  return { perS: Math.round(n / s), usEach: Math.round((s / n) * 1e6) };
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;

export async function run(): Promise<Record<string, unknown>> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'bench-prov-'));
  const broker = await new MosquittoBroker().start();
  try {
    const fleet = makeFleet(dir);
    const dataDir = path.join(dir, 'gw');
    const identity = loadOrCreateIdentity(dataDir);
    const cameras = ['cam-1', 'cam-2', 'cam-3', 'cam-4'];
    const config = makeConfig(dataDir, broker.url, [fleet.pubFile], { cameras });
    const ctx = (currentVersion: number): DesiredCheckContext => ({
      gatewayId: 'gw-bench', trusted: loadTrustStore([fleet.pubFile]), maxMessageBytes: 262144, maxClockSkewMs: 300000,
      currentVersion, runningDataDir: dataDir, runningTrustedKeys: [fleet.pubFile], x25519Private: ed25519PrivateToX25519(identity.privateKey),
    });
    const good = Buffer.from(JSON.stringify(signDesiredConfig(fleet, { gateway: 'gw-bench', version: 1e9, config })));
    const forgedKey = { privateKey: generateKeyPairSync('ed25519').privateKey, kid: fleet.kid };
    const forged = Buffer.from(JSON.stringify(signDesiredConfig(forgedKey, { gateway: 'gw-bench', version: 1e9, config })));
    const oversized = Buffer.alloc(300000, 0x7b);
    const c = ctx(0);
    const valid = rate(500, () => { if (!checkDesiredConfig(good, c).ok) throw new Error('valid config refused'); });
    const forgedRate = rate(2000, () => { if (checkDesiredConfig(forged, c).ok) throw new Error('forged accepted'); });
    const oversizedRate = rate(20000, () => { if (checkDesiredConfig(oversized, c).ok) throw new Error('oversized accepted'); });

    // Round trips through the broker: push (apply + health + last-good fsync + report) and config/get.
    const host = new TestHost(validated(config));
    const uplink = await new TestUplink(broker.url, 'edge', 'gw-bench').start();
    const service = new ProvisioningService({ gatewayId: 'gw-bench', config: validated(config), dataDir, uplink, host, identity, logger: pino({ level: 'silent' }), healthPollMs: 20 });
    await service.start();
    const op = await new OperatorProbe(broker.url, 'edge/gw-bench').start();
    const push: number[] = [];
    for (let v = 1; v <= 20; v++) {
      const t0 = performance.now();
      const r = await op.desired(JSON.stringify(signDesiredConfig(fleet, { gateway: 'gw-bench', version: v, config: { ...config, cameras: cameras.slice(0, 1 + (v % 4)).map((id) => ({ id, source: { kind: 'test' } })) } })));
      if (r.status !== 'applied') throw new Error(`push ${v}: ${JSON.stringify(r)}`);
      push.push(performance.now() - t0);
    }
    const get: number[] = [];
    for (let i = 0; i < 50; i++) {
      const t0 = performance.now();
      await op.request('config/get', { id: `b${i}` }, `b${i}`);
      get.push(performance.now() - t0);
    }
    await op.stop();
    await service.stop();
    await uplink.stop();
    return {
      configBytes: good.length,
      validCheck: valid,
      forgedReject: forgedRate,
      oversizedReject: oversizedRate,
      pushRoundTripMs: { median: Math.round(median(push)), max: Math.round(Math.max(...push)) },
      configGetRoundTripMs: { median: Math.round(median(get) * 10) / 10, max: Math.round(Math.max(...get)) },
    };
  } finally {
    await broker.dispose();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  run().then((r) => {
    const v = r.validCheck as { perS: number; usEach: number };
    const f = r.forgedReject as { perS: number; usEach: number };
    const o = r.oversizedReject as { perS: number; usEach: number };
    console.log(`desired config of ${String(r.configBytes)} B (4 cameras): full check (JWS verify + schema) ${v.perS}/s (${v.usEach} us each)`);
    console.log(`forged signature refused ${f.perS}/s (${f.usEach} us); oversized refused before parsing ${o.perS}/s (${o.usEach} us)`);
    console.log(`through Mosquitto: push -> applied report median ${JSON.stringify(r.pushRoundTripMs)} ms; config/get median ${JSON.stringify(r.configGetRoundTripMs)} ms`);
    console.log(JSON.stringify({ bench: 'provisioning', ...r }));
    process.exit(0);
  }, (err: Error) => {
    console.error(err);
    process.exit(1);
  });
}
