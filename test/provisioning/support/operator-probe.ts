import { randomBytes } from 'node:crypto';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import type { CommandResponse, ConfigReport } from '../../../agent/provisioning/provisioning-service.js';
import { waitFor } from '../../support/wait.js';

/** The central side in tests: publishes raw messages to a gateway and records what it answers. */
export class OperatorProbe {
  readonly reports: ConfigReport[] = [];
  readonly responses: Array<{ topic: string; body: CommandResponse; correlationData?: Buffer }> = [];
  private client?: MqttClient;

  constructor(private readonly url: string, readonly root: string, private readonly opts: IClientOptions = {}) {}

  async start(): Promise<this> {
    const client = await mqtt.connectAsync(this.url, { protocolVersion: 5, reconnectPeriod: 500, connectTimeout: 10000, clientId: `probe-${randomBytes(4).toString('hex')}`, ...this.opts });
    this.client = client;
    client.on('message', (topic, payload, packet) => {
      if (payload.length === 0) return;
      const body: unknown = JSON.parse(payload.toString('utf8'));
      if (topic === `${this.root}/config/reported`) this.reports.push(body as ConfigReport);
      else if (topic.startsWith(`${this.root}/response/`)) this.responses.push({ topic, body: body as CommandResponse, correlationData: packet.properties?.correlationData });
    });
    await client.subscribeAsync([`${this.root}/config/reported`, `${this.root}/response/#`], { qos: 1 });
    return this;
  }

  get mqtt(): MqttClient {
    if (!this.client) throw new Error('not started');
    return this.client;
  }

  /** Publishes to config/desired and resolves with the next report the gateway publishes. */
  async desired(payload: string | Buffer, retain = true): Promise<ConfigReport> {
    const before = this.reports.length;
    await this.mqtt.publishAsync(`${this.root}/config/desired`, payload, { qos: 1, retain });
    return waitFor(() => this.reports[before], { timeoutMs: 30000, what: 'a config/reported answer' });
  }

  /** Sends a request and resolves with the answer on response/<name> echoing `id`. */
  async request(name: string, body: unknown, id: string, props: { responseTopic?: string; correlationData?: Buffer } = {}): Promise<CommandResponse> {
    await this.mqtt.publishAsync(`${this.root}/request/${name}`, typeof body === 'string' ? body : JSON.stringify(body), { qos: 1, properties: props });
    return waitFor(() => this.responses.find((r) => r.topic === `${this.root}/response/${name}` && r.body.id === id)?.body, { timeoutMs: 30000, what: `answer to ${name} ${id}` });
  }

  async stop(): Promise<void> {
    await this.client?.endAsync(true);
  }
}
