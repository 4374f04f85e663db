import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import type { IncomingMessage, PublishOptions, Uplink } from '../../../agent/uplink/types.js';
import { waitFor } from '../../support/wait.js';

function matches(filter: string, topic: string): boolean {
  const f = filter.split('/');
  const t = topic.split('/');
  for (let i = 0; i < f.length; i++) {
    if (f[i] === '#') return true;
    if (i >= t.length || (f[i] !== '+' && f[i] !== t[i])) return false;
  }
  return f.length === t.length;
}

/**
 * A small Uplink over mqtt.js, used only by scripts/bench/provisioning.ts (the provisioning tests run
 * on the agent's MqttUplink): MQTT 5 against the test's Mosquitto, topics relative to `<prefix>/<gateway>`.
 */
export class TestUplink implements Uplink {
  readonly root: string;
  private client?: MqttClient;
  private readonly handlers: Array<{ filter: string; handler: (m: IncomingMessage) => void }> = [];
  /** Every absolute topic this uplink published to, to prove it stays under its own prefix. */
  readonly published: string[] = [];

  constructor(private readonly url: string, prefix: string, gatewayId: string, private readonly clientOpts: IClientOptions = {}) {
    this.root = `${prefix}/${gatewayId}`;
  }

  get connected(): boolean {
    return this.client?.connected ?? false;
  }

  async start(): Promise<this> {
    const client = mqtt.connect(this.url, { protocolVersion: 5, reconnectPeriod: 500, connectTimeout: 10000, ...this.clientOpts });
    this.client = client;
    client.on('message', (topic, payload, packet) => {
      if (!topic.startsWith(`${this.root}/`)) return;
      const rel = topic.slice(this.root.length + 1);
      const msg: IncomingMessage = {
        topic: rel,
        payload,
        retain: packet.retain,
        responseTopic: packet.properties?.responseTopic,
        correlationData: packet.properties?.correlationData,
      };
      for (const h of this.handlers) if (matches(h.filter, rel)) h.handler(msg);
    });
    await waitFor(() => client.connected, { timeoutMs: 20000, what: `test uplink connected to ${this.url}` });
    return this;
  }

  publish(topic: string, payload: Buffer | string, opts: PublishOptions): Promise<void> {
    return this.publishAbsolute(`${this.root}/${topic}`, payload, opts);
  }

  async publishAbsolute(topic: string, payload: Buffer | string, opts: PublishOptions): Promise<void> {
    if (!this.client) throw new Error('not started');
    this.published.push(topic);
    const properties: mqtt.IClientPublishOptions['properties'] = {};
    if (opts.responseTopic) properties.responseTopic = opts.responseTopic;
    if (opts.correlationData) properties.correlationData = opts.correlationData;
    if (opts.contentType) properties.contentType = opts.contentType;
    await this.client.publishAsync(topic, payload, { qos: opts.qos, retain: opts.retain ?? false, properties });
  }

  async subscribe(topicFilter: string, handler: (msg: IncomingMessage) => void): Promise<void> {
    if (!this.client) throw new Error('not started');
    this.handlers.push({ filter: topicFilter, handler });
    await this.client.subscribeAsync(`${this.root}/${topicFilter}`, { qos: 1 });
  }

  onConnectionChange(): () => void {
    return () => {};
  }

  async stop(): Promise<void> {
    await this.client?.endAsync(true);
  }
}
