/**
 * The path to the central broker, step by step so the first broken link is named: DNS, TCP, TLS
 * (handshake and certificate expiry, for mqtts/wss), MQTT CONNECT with the configured credentials
 * (own client id, clean session, no will: it must not kick or impersonate the running agent), and a
 * publish→receive round trip on `<root>/diag/<nonce>`.
 */
import { randomUUID, X509Certificate } from 'node:crypto';
import dns from 'node:dns/promises';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import tls from 'node:tls';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import type { AgentConfig } from '../../config/schema/index.js';
import { redactUrlCredentials, resolveSecret } from '../../config/secrets.js';
import { diagProbeTopic, gatewayRoot, under } from '../../contract/index.js';
import { fail, pass, skip, warn, type CheckGroup, type Outcome, type Reporter } from '../check-runner.js';

const DAY_MS = 86400000;
const CERT_WARN_DAYS = 30;

export interface BrokerAddress {
  host: string;
  port: number;
  tls: boolean;
}

export function brokerAddress(url: string): BrokerAddress {
  const u = new URL(url);
  const secure = ['mqtts:', 'ssl:', 'wss:'].includes(u.protocol);
  const defaults: Record<string, number> = { 'mqtt:': 1883, 'tcp:': 1883, 'mqtts:': 8883, 'ssl:': 8883, 'ws:': 80, 'wss:': 443 };
  return { host: u.hostname.replace(/^\[|\]$/g, ''), port: u.port ? Number(u.port) : defaults[u.protocol] ?? 1883, tls: secure };
}

function tcpConnect(host: string, port: number, timeoutMs: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const s = net.connect({ host, port });
    s.setTimeout(timeoutMs, () => s.destroy(Object.assign(new Error(`no answer within ${timeoutMs} ms`), { code: 'ETIMEDOUT' })));
    s.once('connect', () => {
      s.destroy();
      resolve(performance.now() - t0);
    });
    s.once('error', reject);
  });
}

function readPem(file: string | undefined): Buffer | undefined {
  return file ? readFileSync(file) : undefined;
}

interface TlsResult {
  ms: number;
  authorized: boolean;
  authorizationError?: string;
  validTo?: Date;
  subject?: string;
  protocol?: string;
}

function tlsHandshake(addr: BrokerAddress, cfg: AgentConfig['mqtt'], timeoutMs: number): Promise<TlsResult> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    // rejectUnauthorized off here so an untrusted/expired certificate is reported, not just refused.
    const s = tls.connect({
      host: addr.host,
      port: addr.port,
      servername: net.isIP(addr.host) ? undefined : addr.host,
      ca: readPem(cfg.tls?.ca),
      cert: readPem(cfg.tls?.cert),
      key: readPem(cfg.tls?.key),
      rejectUnauthorized: false,
    });
    s.setTimeout(timeoutMs, () => s.destroy(Object.assign(new Error(`no TLS handshake within ${timeoutMs} ms`), { code: 'ETIMEDOUT' })));
    s.once('secureConnect', () => {
      const cert = s.getPeerCertificate();
      const r: TlsResult = {
        ms: performance.now() - t0,
        authorized: s.authorized,
        authorizationError: s.authorizationError ? String(s.authorizationError) : undefined,
        validTo: cert.valid_to ? new Date(cert.valid_to) : undefined,
        subject: typeof cert.subject?.CN === 'string' ? cert.subject.CN : undefined,
        protocol: s.getProtocol() ?? undefined,
      };
      s.end();
      resolve(r);
    });
    s.once('error', reject);
  });
}

export function certExpiryOutcome(validTo: Date, what: string, now = Date.now()): Outcome | undefined {
  const days = Math.floor((validTo.getTime() - now) / DAY_MS);
  const remedy = `renew the ${what} certificate (ask the fleet operator) before it expires`;
  if (days < 0) return fail(days, `${what} certificate expired on ${validTo.toISOString()}`, remedy, 'days');
  if (days < CERT_WARN_DAYS) return warn(days, `${what} certificate expires on ${validTo.toISOString()}`, remedy, 'days');
  return undefined;
}

export function diagClientOptions(cfg: AgentConfig['mqtt'], clientId: string, timeoutMs: number): IClientOptions {
  const protocolVersion = (cfg as { protocolVersion?: 4 | 5 }).protocolVersion ?? 5;
  const opts: IClientOptions = { protocolVersion, clientId, clean: true, reconnectPeriod: 0, connectTimeout: timeoutMs, keepalive: 30 };
  if (cfg.username !== undefined) opts.username = cfg.username;
  const password = resolveSecret(cfg.password);
  if (password !== undefined) opts.password = password;
  if (cfg.tls) {
    opts.ca = readPem(cfg.tls.ca);
    opts.cert = readPem(cfg.tls.cert);
    opts.key = readPem(cfg.tls.key);
    opts.rejectUnauthorized = cfg.tls.rejectUnauthorized;
  }
  return opts;
}

/** CONNACK reason codes (MQTT 5) and return codes (3.1.1) that mean "your credentials". */
function isAuthRefusal(err: Error & { code?: unknown }): boolean {
  return [4, 5, 134, 135].includes(Number(err.code)) || /not authori[sz]ed|bad user ?name or password/i.test(err.message);
}

function connectOnce(url: string, opts: IClientOptions): Promise<MqttClient> {
  return new Promise((resolve, reject) => {
    const client = mqtt.connect(url, opts);
    client.once('connect', () => resolve(client));
    client.once('error', (err) => {
      client.end(true);
      reject(err);
    });
    client.once('close', () => reject(Object.assign(new Error('connection closed before CONNACK'), { code: 'ECONNRESET' })));
  });
}

async function roundTrip(client: MqttClient, topic: string, samples: number, timeoutMs: number): Promise<{ median: number; all: number[]; denied?: boolean }> {
  const granted = await client.subscribeAsync(topic, { qos: 1 });
  if (granted.some((g) => g.qos > 2)) return { median: NaN, all: [], denied: true };
  const all: number[] = [];
  for (let i = 0; i < samples; i++) {
    const id = `${i}-${randomUUID()}`;
    const got = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no echo within ${timeoutMs} ms`)), timeoutMs);
      const onMsg = (t: string, payload: Buffer): void => {
        if (t === topic && payload.toString() === id) {
          clearTimeout(timer);
          client.off('message', onMsg);
          resolve();
        }
      };
      client.on('message', onMsg);
    });
    const t0 = performance.now();
    await client.publishAsync(topic, id, { qos: 1 });
    await got;
    all.push(performance.now() - t0);
  }
  const sorted = [...all].sort((a, b) => a - b);
  return { median: sorted[Math.floor(sorted.length / 2)], all };
}

function errText(err: unknown): string {
  const e = err as Error & { code?: unknown };
  return `${e.message ?? String(err)}${e.code !== undefined && !String(e.message).includes(String(e.code)) ? ` (${String(e.code)})` : ''}`;
}

export function uplinkChecks(config: AgentConfig, gatewayId: string, opts: { stepTimeoutMs?: number } = {}): CheckGroup {
  const cfg = config.mqtt;
  const stepMs = opts.stepTimeoutMs ?? 5000;
  const root = gatewayRoot(cfg.topicPrefix, gatewayId);
  return {
    group: 'uplink',
    timeoutMs: stepMs * 6 + 2000,
    timeoutRemedy: `the broker path is too slow: check the uplink (mobile signal, VPN) to ${redactUrlCredentials(cfg.url)}`,
    steps: [
      { id: 'uplink.dns', title: 'broker name resolves' },
      { id: 'uplink.tcp', title: 'broker TCP port answers' },
      { id: 'uplink.tls', title: 'TLS handshake and certificate' },
      { id: 'uplink.mqtt', title: 'MQTT CONNECT with the configured credentials' },
      { id: 'uplink.rtt', title: 'MQTT round trip (publish → receive)' },
    ],
    async run(r: Reporter, signal) {
      let addr: BrokerAddress;
      try {
        addr = brokerAddress(cfg.url);
      } catch {
        r.report('uplink.dns', fail(redactUrlCredentials(cfg.url), 'mqtt.url is not a URL', 'fix mqtt.url (e.g. mqtts://broker.example:8883)'));
        return r.skipRest('no broker address');
      }
      let ip = addr.host;
      if (net.isIP(addr.host)) r.report('uplink.dns', pass(addr.host, 'broker given as an IP address: no lookup needed'));
      else {
        const t0 = performance.now();
        try {
          ip = (await dns.lookup(addr.host)).address;
          r.report('uplink.dns', pass(Math.round(performance.now() - t0), `${addr.host} → ${ip}`, 'ms'));
        } catch (err) {
          r.report('uplink.dns', fail(null, `cannot resolve ${addr.host}: ${errText(err)}`, 'check DNS (/etc/resolv.conf, DHCP) and the broker host name in mqtt.url'));
          return r.skipRest('not attempted: the broker name does not resolve');
        }
      }
      try {
        const ms = await tcpConnect(ip, addr.port, stepMs);
        r.report('uplink.tcp', pass(Math.round(ms), `${ip}:${addr.port} accepts connections`, 'ms'));
      } catch (err) {
        r.report('uplink.tcp', fail(null, `${ip}:${addr.port}: ${errText(err)}`, `the broker is down or a firewall blocks TCP ${addr.port}: check the broker with the operator and that the site router allows outbound ${addr.port}`));
        return r.skipRest(`not attempted: TCP ${addr.port} does not answer`);
      }
      if (!addr.tls) r.report('uplink.tls', skip(`${redactUrlCredentials(cfg.url)} is not TLS (use mqtts:// for anything beyond a private network)`));
      else {
        try {
          const t = await tlsHandshake(addr, cfg, stepMs);
          const peerExpiry = t.validTo ? certExpiryOutcome(t.validTo, 'broker') : undefined;
          let clientExpiry: Outcome | undefined;
          if (cfg.tls?.cert) clientExpiry = certExpiryOutcome(new Date(new X509Certificate(readFileSync(cfg.tls.cert)).validTo), 'client');
          if (!t.authorized && cfg.tls?.rejectUnauthorized !== false) {
            r.report('uplink.tls', fail(t.authorizationError ?? 'untrusted', `broker certificate not trusted: ${t.authorizationError ?? 'unknown reason'}`, 'set mqtt.tls.ca to the CA that signed the broker certificate, and check the gateway clock (a wrong date makes valid certificates look expired)'));
            return r.skipRest('not attempted: the broker certificate is not trusted');
          } else if (peerExpiry?.status === 'fail' || clientExpiry?.status === 'fail') {
            r.report('uplink.tls', (peerExpiry?.status === 'fail' ? peerExpiry : clientExpiry) as Outcome);
          } else if (peerExpiry || clientExpiry) {
            r.report('uplink.tls', (peerExpiry ?? clientExpiry) as Outcome);
          } else {
            const days = t.validTo ? Math.floor((t.validTo.getTime() - Date.now()) / DAY_MS) : null;
            r.report('uplink.tls', pass(days, `${t.protocol ?? 'TLS'} in ${Math.round(t.ms)} ms; broker certificate ${t.subject ?? ''} valid until ${t.validTo?.toISOString() ?? '?'}`, 'days'));
          }
        } catch (err) {
          r.report('uplink.tls', fail(null, `TLS handshake failed: ${errText(err)}`, 'check mqtt.tls (ca/cert/key paths and that the key matches the certificate) and that the port speaks TLS'));
          return r.skipRest('not attempted: no TLS session');
        }
      }
      const clientId = `${cfg.clientId ?? `edge-${gatewayId}`}-diag-${randomUUID().slice(0, 8)}`;
      let client: MqttClient;
      const t0 = performance.now();
      try {
        // CONNECT gets twice the step time: the broker may check credentials against a slow backend.
        client = await connectOnce(cfg.url, diagClientOptions(cfg, clientId, stepMs * 2));
      } catch (err) {
        const e = err as Error & { code?: unknown };
        r.report(
          'uplink.mqtt',
          isAuthRefusal(e)
            ? fail(null, `broker refused the credentials: ${errText(err)}`, `check mqtt.username/mqtt.password${cfg.username ? ` (user "${cfg.username}")` : ''}: the credentials may have been rotated; ask the fleet operator`)
            : /connack timeout/i.test(e.message)
              ? fail(null, `no CONNACK within ${(stepMs * 2) / 1000} s: something accepts TCP on the port but does not answer MQTT`, 'the broker is hung or overloaded, or the port belongs to another service (a proxy, a TLS-only listener with mqtt://): check mqtt.url with the operator')
              : fail(null, `MQTT CONNECT failed: ${errText(err)}`, 'check that the port is an MQTT listener and the protocol version (mqtt.protocolVersion) the broker supports'),
        );
        return r.skipRest('not attempted: not connected');
      }
      try {
        r.report('uplink.mqtt', pass(Math.round(performance.now() - t0), `connected as ${clientId}${cfg.username ? ` (user ${cfg.username})` : ''}`, 'ms'));
        if (signal.aborted) return;
        try {
          const rt = await roundTrip(client, under(root, diagProbeTopic(randomUUID().slice(0, 8))), 3, stepMs);
          if (rt.denied) r.report('uplink.rtt', warn(null, `the broker refused a subscription to ${root}/diag/#`, `allow the gateway to subscribe below ${root}/ in the broker ACL (commands arrive there too)`));
          else {
            const ms = Math.round(rt.median);
            const detail = `median of ${rt.all.length}: ${rt.all.map((x) => Math.round(x)).join(', ')} ms`;
            if (ms > 2000) r.report('uplink.rtt', fail(ms, detail, 'the uplink is very slow: check signal strength/bandwidth; clips will back up in the outbox', 'ms'));
            else if (ms > 500) r.report('uplink.rtt', warn(ms, detail, 'the uplink is slow: check signal strength or congestion; consider outbox.bandwidthBytesPerSecond', 'ms'));
            else r.report('uplink.rtt', pass(ms, detail, 'ms'));
          }
        } catch (err) {
          r.report('uplink.rtt', fail(null, `no round trip: ${errText(err)}`, `the broker accepted the connection but did not deliver to ${root}/diag/: check its ACL allows publish and subscribe below ${root}/`));
        }
      } finally {
        await client.endAsync(true).catch(() => undefined);
      }
    },
  };
}
