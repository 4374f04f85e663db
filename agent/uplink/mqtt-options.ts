import { readFileSync } from 'node:fs';
import type { IClientOptions } from 'mqtt';
import { AgentError } from '../core/errors.js';
import { resolveSecret } from '../config/secrets.js';
import type { AgentConfig } from '../config/schema/index.js';

function readPem(file: string, what: string): Buffer {
  try {
    return readFileSync(file);
  } catch (err) {
    throw new AgentError('UPLINK_TLS_FILE_UNREADABLE', `cannot read the MQTT ${what} ${file}`, `check mqtt.tls.${what} and that the agent user may read it`, { cause: err });
  }
}

/**
 * mqtt.js options from the config: MQTT 5 with a persistent session (clean false + session expiry)
 * so the broker keeps our subscriptions across short outages; reconnects are driven by MqttUplink.
 */
export function buildClientOptions(cfg: AgentConfig['mqtt'], clientId: string, will: { topic: string; payload: string }): IClientOptions {
  const v5 = cfg.protocolVersion !== 4;
  const opts: IClientOptions = {
    protocolVersion: v5 ? 5 : 4,
    clientId,
    clean: false,
    keepalive: cfg.keepaliveSeconds,
    reconnectPeriod: 0,
    connectTimeout: 15000,
    resubscribe: false,
    will: { topic: will.topic, payload: Buffer.from(will.payload), qos: 1, retain: true },
  };
  // MQTT 3.1.1 (demo broker) has no session expiry: the session then lives until the broker drops it.
  if (v5) opts.properties = { sessionExpiryInterval: cfg.sessionExpirySeconds };
  if (cfg.username !== undefined) opts.username = cfg.username;
  const password = resolveSecret(cfg.password);
  if (password !== undefined) opts.password = password;
  if (cfg.tls) {
    if (cfg.tls.ca) opts.ca = readPem(cfg.tls.ca, 'ca');
    if (cfg.tls.cert) opts.cert = readPem(cfg.tls.cert, 'cert');
    if (cfg.tls.key) opts.key = readPem(cfg.tls.key, 'key');
    opts.rejectUnauthorized = cfg.tls.rejectUnauthorized;
  }
  return opts;
}
