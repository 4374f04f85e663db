import mqtt, { type MqttClient } from 'mqtt';
import { waitFor } from './wait.js';

export interface Collected {
  topic: string;
  payload: Buffer;
  retain: boolean;
  at: number;
}

/** A real MQTT subscriber that records everything on a filter, for assertions in tests. */
export class MqttCollector {
  readonly messages: Collected[] = [];
  private client?: MqttClient;

  constructor(private readonly url: string, private readonly filter: string, private readonly opts: mqtt.IClientOptions = {}) {}

  async start(): Promise<this> {
    const client = mqtt.connect(this.url, { protocolVersion: 5, reconnectPeriod: 500, connectTimeout: 5000, ...this.opts });
    this.client = client;
    client.on('message', (topic, payload, packet) => this.messages.push({ topic, payload, retain: packet.retain, at: Date.now() }));
    await waitFor(() => client.connected, { timeoutMs: 20000, what: `collector connected to ${this.url}` });
    await client.subscribeAsync(this.filter, { qos: 1 });
    return this;
  }

  /**
   * The payloads on topics ending in `topicSuffix`, parsed; from `since` on, an index into `messages`
   * (take `messages.length` before an action to look only at what came after it).
   */
  json<T = Record<string, unknown>>(topicSuffix: string, since = 0): T[] {
    return this.messages.slice(since).filter((m) => m.topic.endsWith(topicSuffix)).map((m) => JSON.parse(m.payload.toString()) as T);
  }

  last<T = Record<string, unknown>>(topicSuffix: string): T | undefined {
    const all = this.json<T>(topicSuffix);
    return all[all.length - 1];
  }

  waitForMessage<T = Record<string, unknown>>(topicSuffix: string, match: (m: T) => boolean = () => true, timeoutMs = 60000, since = 0): Promise<T> {
    return waitFor(() => this.json<T>(topicSuffix, since).find(match), { timeoutMs, what: `a message on *${topicSuffix}` });
  }

  async stop(): Promise<void> {
    await this.client?.endAsync(true);
  }
}
