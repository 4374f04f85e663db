import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import {
  CommandResponseSchema, ConfigReportSchema, DESIRED_TOPIC, REPORTED_TOPIC, requestTopic, responseTopic, under, wireValidator, type CommandResponse, type ConfigReport,
} from '../../../agent/contract/index.js';
import { waitFor } from '../../support/wait.js';

const validReport = wireValidator(ConfigReportSchema);
const validResponse = wireValidator(CommandResponseSchema);

/**
 * The central side in tests: publishes raw messages to a gateway and records what it answers. Every
 * answer is checked against the wire contract; stop() fails the test run if one did not match.
 */
export class OperatorProbe {
  readonly reports: ConfigReport[] = [];
  readonly contractViolations: string[] = [];
  readonly responses: Array<{ topic: string; body: CommandResponse; correlationData?: Buffer }> = [];
  private client?: MqttClient;

  constructor(private readonly url: string, readonly root: string, private readonly opts: IClientOptions = {}) {}

  async start(): Promise<this> {
    const client = await mqtt.connectAsync(this.url, { protocolVersion: 5, reconnectPeriod: 500, connectTimeout: 10000, clientId: `probe-${randomBytes(4).toString('hex')}`, ...this.opts });
    this.client = client;
    client.on('message', (topic, payload, packet) => {
      if (payload.length === 0) return;
      const body: unknown = JSON.parse(payload.toString('utf8'));
      if (topic === under(this.root, REPORTED_TOPIC)) {
        if (!validReport(body)) this.contractViolations.push(`${topic}: ${validReport.problem()}`);
        this.reports.push(body as ConfigReport);
      } else if (topic.startsWith(under(this.root, responseTopic('')))) {
        if (!validResponse(body)) this.contractViolations.push(`${topic}: ${validResponse.problem()}`);
        this.responses.push({ topic, body: body as CommandResponse, correlationData: packet.properties?.correlationData });
      }
    });
    await client.subscribeAsync([under(this.root, REPORTED_TOPIC), under(this.root, responseTopic('#'))], { qos: 1 });
    return this;
  }

  get mqtt(): MqttClient {
    if (!this.client) throw new Error('not started');
    return this.client;
  }

  /** Publishes to config/desired and resolves with the next report the gateway publishes. */
  async desired(payload: string | Buffer, retain = true): Promise<ConfigReport> {
    const before = this.reports.length;
    await this.mqtt.publishAsync(under(this.root, DESIRED_TOPIC), payload, { qos: 1, retain });
    return waitFor(() => this.reports[before], { timeoutMs: 30000, what: 'a config/reported answer' });
  }

  /** Sends a request and resolves with the answer on response/<name> echoing `id`. */
  async request(name: string, body: unknown, id: string, props: { responseTopic?: string; correlationData?: Buffer } = {}): Promise<CommandResponse> {
    await this.mqtt.publishAsync(under(this.root, requestTopic(name)), typeof body === 'string' ? body : JSON.stringify(body), { qos: 1, properties: props });
    return waitFor(() => this.responses.find((r) => r.topic === under(this.root, responseTopic(name)) && r.body.id === id)?.body, { timeoutMs: 30000, what: `answer to ${name} ${id}` });
  }

  async stop(): Promise<void> {
    await this.client?.endAsync(true);
    assert.deepEqual(this.contractViolations, [], 'every config/reported and response matches the wire contract (agent/contract/)');
  }
}
