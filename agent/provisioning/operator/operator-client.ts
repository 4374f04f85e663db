import { randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { AgentError } from '../../core/errors.js';
import { DESIRED_TOPIC, gatewayRoot, REPORTED_TOPIC, requestTopic, responseTopic, STATUS_TOPIC, under, type CommandResponse, type ConfigReport } from '../../contract/index.js';
import { GatewayKeyPins } from '../../identity/gateway-key-pins.js';
import type { FleetKey } from './fleet-keys.js';
import { signCommand, signDesiredConfig } from './sign.js';

export interface OperatorConnection {
  broker: string;
  prefix: string;
  gateway: string;
  username?: string;
  password?: string;
  ca?: string;
  cert?: string;
  key?: string;
  timeoutMs: number;
}

function rootOf(c: OperatorConnection): string {
  return gatewayRoot(c.prefix, c.gateway);
}

export async function connectOperator(c: OperatorConnection): Promise<MqttClient> {
  const opts: IClientOptions = { protocolVersion: 5, clean: true, reconnectPeriod: 0, connectTimeout: c.timeoutMs, clientId: `edge-operator-${randomBytes(6).toString('hex')}` };
  if (c.username !== undefined) opts.username = c.username;
  if (c.password !== undefined) opts.password = c.password;
  const read = (f: string, what: string): Buffer => {
    try {
      return readFileSync(f);
    } catch (err) {
      throw new AgentError('OPERATOR_TLS_FILE_UNREADABLE', `cannot read ${what} ${f}`, 'check the path', { cause: err });
    }
  };
  if (c.ca) opts.ca = read(c.ca, 'CA certificate');
  if (c.cert) opts.cert = read(c.cert, 'client certificate');
  if (c.key) opts.key = read(c.key, 'client key');
  try {
    return await mqtt.connectAsync(c.broker, opts);
  } catch (err) {
    throw new AgentError('OPERATOR_BROKER_UNREACHABLE', `cannot connect to ${c.broker}: ${(err as Error).message}`, 'check --broker and the TLS/credential options', { cause: err });
  }
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const t = new Promise<never>((_r, reject) => {
    timer = setTimeout(() => reject(new AgentError('OPERATOR_TIMEOUT', `no ${what} within ${ms / 1000} s`, 'is the gateway online? check its status topic')), ms);
  });
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
}

/** The gateway's Ed25519 public key (PEM) from its retained `status` (field publicKey), to encrypt secrets to it. */
export async function fetchGatewayPublicKey(c: OperatorConnection): Promise<string> {
  const client = await connectOperator(c);
  try {
    const topic = under(rootOf(c), STATUS_TOPIC);
    const key = new Promise<string>((resolve) => {
      client.on('message', (t, payload) => {
        if (t !== topic) return;
        try {
          const s = JSON.parse(payload.toString('utf8')) as { publicKey?: unknown };
          if (typeof s.publicKey === 'string' && s.publicKey.includes('BEGIN PUBLIC KEY')) resolve(s.publicKey);
        } catch { /* not a status */ }
      });
    });
    await client.subscribeAsync(topic, { qos: 1 });
    return await withTimeout(key, c.timeoutMs, `retained status with publicKey for ${c.gateway} (has it ever connected?)`);
  } finally {
    await client.endAsync(true);
  }
}

/**
 * The key to encrypt secrets to: the one in the gateway's retained status, only if it matches the key
 * pinned for the gateway in `pinsDir` (`<gateway>.pem`; pinned there on first use). A status with
 * another key (anyone with broker access can publish one) is GATEWAY_KEY_MISMATCH: nothing is encrypted.
 */
export async function fetchPinnedGatewayKey(c: OperatorConnection, pinsDir: string): Promise<string> {
  const pins = new GatewayKeyPins(pinsDir);
  const offer = pins.offer(c.gateway, await fetchGatewayPublicKey(c));
  if (offer.kind === 'mismatch') {
    throw new AgentError('GATEWAY_KEY_MISMATCH', `the retained status of ${c.gateway} carries key ${offer.offered}, but ${offer.pinned} is pinned in ${pinsDir}; secrets are not encrypted to it (offered key saved as ${offer.savedAs})`,
      `if ${c.gateway} really was re-keyed, check the fingerprint on the gateway and copy the new key over ${pinsDir}/${c.gateway}.pem (edge-agent receive --out DIR --trust-key does this for a receiver's DIR/keys)`);
  }
  if (offer.kind === 'invalid') throw new AgentError('GATEWAY_KEY_MISMATCH', `the retained status of ${c.gateway} carries no usable key: ${offer.reason}`, 'check what publishes on the gateway\'s status topic');
  const pinned = pins.get(c.gateway);
  if (!pinned) throw new Error('unreachable: a key was just pinned');
  return pinned;
}

/**
 * Signs and publishes the desired config (retained), then waits for `config/reported` about that
 * version. The retained report from before the push is skipped unless it is already about it.
 */
export async function pushDesiredConfig(c: OperatorConnection, key: FleetKey, p: { config: unknown; version: number; expiresAt?: string }): Promise<ConfigReport> {
  const client = await connectOperator(c);
  try {
    const reportTopic = under(rootOf(c), REPORTED_TOPIC);
    const report = new Promise<ConfigReport>((resolve) => {
      client.on('message', (topic, payload) => {
        if (topic !== reportTopic) return;
        try {
          const r = JSON.parse(payload.toString('utf8')) as ConfigReport;
          if (r.version === p.version) resolve(r);
        } catch { /* not a report */ }
      });
    });
    await client.subscribeAsync(reportTopic, { qos: 1 });
    const jws = signDesiredConfig(key, { gateway: c.gateway, version: p.version, config: p.config, expiresAt: p.expiresAt });
    await client.publishAsync(under(rootOf(c), DESIRED_TOPIC), JSON.stringify(jws), { qos: 1, retain: true });
    return await withTimeout(report, c.timeoutMs, `config/reported for version ${p.version}`);
  } finally {
    await client.endAsync(true);
  }
}

/**
 * Sends one (signed) request with an MQTT 5 response topic (under the gateway's response/ namespace,
 * the only place the gateway answers) and correlation data, and resolves with the matching answer.
 */
export async function sendRequest(c: OperatorConnection, key: FleetKey | undefined, name: string, args: Record<string, unknown>): Promise<CommandResponse> {
  const client = await connectOperator(c);
  try {
    const id = randomUUID();
    const correlation = randomBytes(16);
    const answerTopic = under(rootOf(c), responseTopic(`${name}/${correlation.toString('hex')}`));
    const answer = new Promise<CommandResponse>((resolve) => {
      client.on('message', (topic, payload, packet) => {
        if (topic !== answerTopic || !packet.properties?.correlationData?.equals(correlation)) return;
        try {
          resolve(JSON.parse(payload.toString('utf8')) as CommandResponse);
        } catch { /* not an answer */ }
      });
    });
    await client.subscribeAsync(answerTopic, { qos: 1 });
    const body = key ? signCommand(key, { gateway: c.gateway, command: name, args, id }) : { id, args };
    await client.publishAsync(under(rootOf(c), requestTopic(name)), JSON.stringify(body), { qos: 1, properties: { responseTopic: answerTopic, correlationData: correlation } });
    return await withTimeout(answer, c.timeoutMs, `answer to ${name}`);
  } finally {
    await client.endAsync(true);
  }
}
