/** The uplink as the rest of the agent sees it: topics are relative to `<topicPrefix>/<gatewayId>/`. */
export interface PublishOptions {
  qos: 0 | 1;
  retain?: boolean;
  /** MQTT 5 properties for answers to requests. */
  responseTopic?: string;
  correlationData?: Buffer;
  contentType?: string;
}

export interface IncomingMessage {
  /** Topic relative to the gateway's own prefix (e.g. `request/config/get`). */
  topic: string;
  payload: Buffer;
  retain: boolean;
  responseTopic?: string;
  correlationData?: Buffer;
}

export interface Uplink {
  readonly connected: boolean;
  /** The broker's MQTT 5 receive maximum, once connected: the outbox never has more in flight. */
  readonly receiveMaximum?: number;
  /** Absolute topic root of this gateway: `<topicPrefix>/<gatewayId>`. */
  readonly root: string;
  /** Resolves when the broker acknowledged (PUBACK for QoS 1); rejects when the connection drops first. */
  publish(topic: string, payload: Buffer | string, opts: PublishOptions): Promise<void>;
  /** Publishes to an absolute topic (only for MQTT 5 response topics a requester named). */
  publishAbsolute(topic: string, payload: Buffer | string, opts: PublishOptions): Promise<void>;
  subscribe(topicFilter: string, handler: (msg: IncomingMessage) => void): Promise<void>;
  onConnectionChange(listener: (connected: boolean) => void): () => void;
}
