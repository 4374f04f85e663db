import mqtt, { type IClientPublishOptions, type MqttClient } from 'mqtt';
import { gatewayRoot, STATUS_TOPIC, under, type OnlineStatus, type StoppedStatus, type WillStatus } from '../contract/index.js';
import { redactUrlCredentials } from '../config/secrets.js';
import type { Logger } from '../core/logger.js';
import { AgentError, toErrorInfo } from '../core/errors.js';
import { AGENT_VERSION } from '../core/version.js';
import type { AgentConfig } from '../config/schema/index.js';
import { Backoff } from '../core/backoff.js';
import { buildClientOptions } from './mqtt-options.js';
import { assertAbsoluteTopic, assertRelativeFilter, assertRelativeTopic, topicMatches } from './topics.js';
import type { IncomingMessage, PublishOptions, Uplink } from './types.js';

export interface MqttUplinkOptions {
  mqtt: AgentConfig['mqtt'];
  gatewayId: string;
  /** The runtime's part of the retained online status (the contract's StatusDetails: public key, cameras, …), read at every connect. */
  statusPayload: () => object;
  logger: Logger;
}

/**
 * The MQTT 5 uplink. It never blocks the agent: start() returns at once and the agent runs offline
 * until the broker answers. Every QoS 1 publish resolves on PUBACK and rejects when the connection
 * drops first; mqtt.js is not allowed to resend on its own, because the outbox owns redelivery (so
 * it can keep events in seq order across reconnects).
 */
export class MqttUplink implements Uplink {
  readonly root: string;
  private client?: MqttClient;
  private readonly backoff: Backoff;
  private readonly handlers: Array<{ filter: string; handler: (msg: IncomingMessage) => void }> = [];
  private readonly listeners = new Set<(connected: boolean) => void>();
  private reconnectTimer?: NodeJS.Timeout;
  private stopping = false;
  private isConnected = false;
  private serverReceiveMaximum?: number;
  /** QoS 1 publishes awaiting PUBACK, and those held back so the broker's receive maximum is never exceeded. */
  private qos1InFlight = 0;
  private readonly held: Array<{ topic: string; payload: Buffer | string; opts: PublishOptions; resolve: () => void; reject: (err: unknown) => void }> = [];
  /** The last connection problem, for diagnostics and health. */
  lastError?: { code: string; message: string; at: string };

  constructor(private readonly opts: MqttUplinkOptions) {
    this.root = gatewayRoot(opts.mqtt.topicPrefix, opts.gatewayId);
    this.backoff = new Backoff(opts.mqtt.reconnectMinMs, Math.max(opts.mqtt.reconnectMinMs, opts.mqtt.reconnectMaxMs));
  }

  get connected(): boolean {
    return this.isConnected;
  }

  /** The broker's MQTT 5 receive maximum (how many QoS 1 publishes it accepts unacknowledged). */
  get receiveMaximum(): number | undefined {
    return this.serverReceiveMaximum;
  }

  get statusTopic(): string {
    return under(this.root, STATUS_TOPIC);
  }

  start(): void {
    if (this.client) return;
    this.stopping = false;
    const clientId = this.opts.mqtt.clientId ?? `edge-${this.opts.gatewayId}`;
    const will: WillStatus = { state: 'offline', version: AGENT_VERSION, reason: 'connection lost' };
    const client = mqtt.connect(this.opts.mqtt.url, buildClientOptions(this.opts.mqtt, clientId, { topic: this.statusTopic, payload: JSON.stringify(will) }));
    this.client = client;
    client.on('connect', (connack) => this.onConnect(client, connack.sessionPresent, connack.properties?.receiveMaximum));
    client.on('close', () => this.onClose(client));
    client.on('error', (err) => this.noteError(err));
    client.on('message', (topic, payload, packet) => this.route(topic, payload, packet));
  }

  async stop(): Promise<void> {
    this.stopping = true;
    clearTimeout(this.reconnectTimer);
    const client = this.client;
    if (!client) return;
    if (this.isConnected) {
      const offline: StoppedStatus = { state: 'offline', version: AGENT_VERSION, ts: new Date().toISOString(), reason: 'stopped' };
      await Promise.race([
        client.publishAsync(this.statusTopic, JSON.stringify(offline), { qos: 1, retain: true }).catch(() => undefined),
        new Promise((r) => setTimeout(r, 5000).unref()),
      ]);
    }
    await client.endAsync(!this.isConnected);
    this.client = undefined;
    this.setConnected(false);
  }

  publish(topic: string, payload: Buffer | string, opts: PublishOptions): Promise<void> {
    try {
      assertRelativeTopic(topic);
    } catch (err) {
      return Promise.reject(err);
    }
    return this.send(under(this.root, topic), payload, opts);
  }

  publishAbsolute(topic: string, payload: Buffer | string, opts: PublishOptions): Promise<void> {
    try {
      assertAbsoluteTopic(topic);
    } catch (err) {
      return Promise.reject(err);
    }
    return this.send(topic, payload, opts);
  }

  async subscribe(topicFilter: string, handler: (msg: IncomingMessage) => void): Promise<void> {
    assertRelativeFilter(topicFilter);
    this.handlers.push({ filter: topicFilter, handler });
    // Offline: the subscription is made at the next connect (see onConnect).
    if (this.client && this.isConnected) await this.client.subscribeAsync(under(this.root, topicFilter), { qos: 1 });
  }

  onConnectionChange(listener: (connected: boolean) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private send(topic: string, payload: Buffer | string, opts: PublishOptions): Promise<void> {
    const client = this.client;
    if (!client || !this.isConnected) {
      return Promise.reject(new AgentError('UPLINK_OFFLINE', 'the MQTT broker is not connected', 'the outbox keeps the message and sends it after the reconnect'));
    }
    if (opts.qos === 1 && (this.held.length > 0 || this.qos1InFlight >= this.qos1Limit())) {
      // In order behind the others; released as PUBACKs come in (a broker may drop a client that exceeds it).
      return new Promise((resolve, reject) => this.held.push({ topic, payload, opts, resolve, reject }));
    }
    return this.sendNow(client, topic, payload, opts);
  }

  /** The broker's receive maximum less one, kept for the status publish made at connect. */
  private qos1Limit(): number {
    const rm = this.serverReceiveMaximum;
    return rm === undefined ? Infinity : Math.max(1, rm - 1);
  }

  private releaseHeld(): void {
    const client = this.client;
    while (client && this.isConnected && this.held.length > 0 && this.qos1InFlight < this.qos1Limit()) {
      const h = this.held.shift()!;
      this.sendNow(client, h.topic, h.payload, h.opts).then(h.resolve, h.reject);
    }
  }

  private sendNow(client: MqttClient, topic: string, payload: Buffer | string, opts: PublishOptions): Promise<void> {
    const publishOpts: IClientPublishOptions = { qos: opts.qos, retain: opts.retain ?? false };
    if (opts.responseTopic || opts.correlationData || opts.contentType) {
      publishOpts.properties = { responseTopic: opts.responseTopic, correlationData: opts.correlationData, contentType: opts.contentType };
    }
    if (opts.qos === 1) this.qos1InFlight++;
    return new Promise((resolve, reject) => {
      client.publish(topic, payload, publishOpts, (err) => {
        if (opts.qos === 1) {
          this.qos1InFlight--;
          this.releaseHeld();
        }
        if (err) reject(new AgentError('UPLINK_PUBLISH_FAILED', `publish to ${topic} was not acknowledged: ${err.message}`, 'the outbox retries after the reconnect', { cause: err }));
        else resolve();
      });
    });
  }

  private onConnect(client: MqttClient, sessionPresent: boolean, receiveMaximum: number | undefined): void {
    if (client !== this.client) return;
    this.backoff.reset();
    this.serverReceiveMaximum = receiveMaximum;
    this.lastError = undefined;
    this.opts.logger.info({ broker: redactUrlCredentials(this.opts.mqtt.url), sessionPresent }, 'MQTT connected');
    const online: Pick<OnlineStatus, 'state' | 'version' | 'ts'> = { state: 'online', version: AGENT_VERSION, ts: new Date().toISOString() };
    client.publish(this.statusTopic, JSON.stringify({ ...online, ...this.opts.statusPayload() }), { qos: 1, retain: true }, (err) => {
      if (err) this.opts.logger.warn({ err: err.message }, 'status not acknowledged');
    });
    // A lost session (broker restart without persistence, expiry) also lost our subscriptions.
    if (!sessionPresent && this.handlers.length > 0) {
      const filters = [...new Set(this.handlers.map((h) => under(this.root, h.filter)))];
      client.subscribe(filters, { qos: 1 }, (err) => {
        if (err) this.noteError(err);
      });
    }
    this.setConnected(true);
  }

  private onClose(client: MqttClient): void {
    if (client !== this.client) return;
    const wasConnected = this.isConnected;
    // Offline first, so nothing held back is released onto the dead connection below.
    this.setConnected(false);
    // Fail every unacknowledged publish now and drop it from mqtt.js's store: the outbox resends.
    for (const id of Object.keys(client.outgoing)) client.removeOutgoingMessage(Number(id));
    this.qos1InFlight = 0;
    for (const h of this.held.splice(0)) h.reject(new AgentError('UPLINK_PUBLISH_FAILED', `publish to ${h.topic} was not sent: the connection dropped`, 'the outbox retries after the reconnect'));
    if (this.stopping) return; // our own disconnect on stop: nothing was lost
    if (wasConnected) this.opts.logger.warn({ broker: redactUrlCredentials(this.opts.mqtt.url) }, 'MQTT connection lost');
    clearTimeout(this.reconnectTimer);
    const delay = this.backoff.next();
    this.reconnectTimer = setTimeout(() => {
      if (!this.stopping && this.client === client) client.reconnect();
    }, delay);
  }

  private noteError(err: Error): void {
    const info = toErrorInfo(err, 'UPLINK');
    this.lastError = { ...info, at: new Date().toISOString() };
    this.opts.logger.warn({ code: info.code, err: err.message }, 'MQTT error');
  }

  private setConnected(on: boolean): void {
    if (this.isConnected === on) return;
    this.isConnected = on;
    for (const l of this.listeners) {
      try {
        l(on);
      } catch (err) {
        this.opts.logger.error({ err: (err as Error).message }, 'connection listener failed');
      }
    }
  }

  private route(topic: string, payload: Buffer, packet: mqtt.IPublishPacket): void {
    if (!topic.startsWith(`${this.root}/`)) return;
    const relative = topic.slice(this.root.length + 1);
    const props = packet.properties;
    const msg: IncomingMessage = { topic: relative, payload, retain: packet.retain, responseTopic: props?.responseTopic, correlationData: props?.correlationData };
    for (const h of this.handlers) {
      if (!topicMatches(h.filter, relative)) continue;
      try {
        h.handler(msg);
      } catch (err) {
        this.opts.logger.error({ topic: relative, err: (err as Error).message }, 'message handler failed');
      }
    }
  }
}
