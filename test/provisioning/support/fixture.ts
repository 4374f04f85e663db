import { mkdirSync } from 'node:fs';
import path from 'node:path';
import pino from 'pino';
import type { AgentConfig } from '../../../agent/config/schema/index.js';
import { validateConfig } from '../../../agent/config/validate.js';
import { loadOrCreateIdentity, type GatewayIdentity } from '../../../agent/identity/gateway-identity.js';
import { generateFleetKeys, loadFleetKey, type FleetKey } from '../../../agent/provisioning/operator/fleet-keys.js';
import { ProvisioningService } from '../../../agent/provisioning/provisioning-service.js';
import { TestHost } from './test-host.js';
import type { Uplink } from '../../../agent/uplink/types.js';
import { MqttUplink } from '../../../agent/uplink/mqtt-uplink.js';
import { waitFor } from '../../support/wait.js';

export const PREFIX = 'edge';

/** A config for gateway tests: one test camera, fleet key trusted, short apply timeout. */
export function makeConfig(dataDir: string, brokerUrl: string, trustedKeys: string[], extra: { cameras?: string[]; applyTimeoutSeconds?: number; password?: string } = {}): Record<string, unknown> {
  return {
    gateway: { dataDir },
    mqtt: { url: brokerUrl, ...(extra.password ? { username: 'gw', password: extra.password } : {}) },
    cameras: (extra.cameras ?? ['cam-1']).map((id) => ({ id, source: { kind: 'test' } })),
    provisioning: { trustedKeys, applyTimeoutSeconds: extra.applyTimeoutSeconds ?? 3, maxMessageBytes: 16384, maxClockSkewSeconds: 60 },
  };
}

export function validated(raw: unknown): AgentConfig {
  const r = validateConfig(raw);
  if (!r.ok) throw new Error(JSON.stringify(r.problems));
  return r.config;
}

export interface Gateway<U extends Uplink = MqttUplink> {
  id: string;
  dataDir: string;
  identity: GatewayIdentity;
  host: TestHost;
  uplink: U;
  service: ProvisioningService;
  stop(): Promise<void>;
}

interface GatewayOptions {
  id: string;
  dataDir: string;
  fileConfig: AgentConfig;
  /** Run `fileConfig` as this desired version, as the runtime does when it started on a fallback (last-good not read). */
  version?: number;
}

/** Starts a gateway's provisioning service over a real broker (the one in its config's mqtt.url), like the runtime would. */
export async function startGateway(o: GatewayOptions): Promise<Gateway>;
export async function startGateway<U extends Uplink & { stop(): Promise<void> }>(o: GatewayOptions & { uplink: U }): Promise<Gateway<U>>;
export async function startGateway(o: GatewayOptions & { uplink?: Uplink & { stop(): Promise<void> } }): Promise<Gateway<Uplink & { stop(): Promise<void> }>> {
  mkdirSync(o.dataDir, { recursive: true });
  const identity = loadOrCreateIdentity(o.dataDir);
  const { LastGoodConfigStore } = await import('../../../agent/provisioning/last-good-store.js');
  const config = o.version !== undefined ? o.fileConfig : (new LastGoodConfigStore(o.dataDir).load()?.config ?? o.fileConfig);
  const host = new TestHost(config);
  const uplink = o.uplink ?? (await realUplink(o.id, config, identity));
  const service = new ProvisioningService({
    gatewayId: o.id, config, version: o.version, dataDir: o.dataDir, uplink, host, identity,
    logger: pino({ level: process.env.EDGE_TEST_LOG ?? 'silent' }), healthPollMs: 100,
  });
  await service.start();
  return { id: o.id, dataDir: o.dataDir, identity, host, uplink, service, stop: async () => { await service.stop(); await uplink.stop(); } };
}

/**
 * The agent's own uplink on the config's mqtt section (so reconnect, resubscribe and held QoS 1 run
 * here too), with the runtime's status payload part the operator tools read (the public key).
 */
async function realUplink(gatewayId: string, config: AgentConfig, identity: GatewayIdentity): Promise<MqttUplink> {
  const uplink = new MqttUplink({ mqtt: config.mqtt, gatewayId, statusPayload: () => ({ publicKey: identity.publicKeyPem }), logger: pino({ level: process.env.EDGE_TEST_LOG ?? 'silent' }) });
  uplink.start();
  await waitFor(() => uplink.connected, { timeoutMs: 20000, what: `gateway ${gatewayId} uplink connected` });
  return uplink;
}

export function makeFleet(dir: string, name = 'fleet'): FleetKey & { pubFile: string; keyFile: string } {
  const out = path.join(dir, name);
  const { keyFile, pubFile } = generateFleetKeys(out);
  return { ...loadFleetKey(keyFile), pubFile, keyFile };
}
