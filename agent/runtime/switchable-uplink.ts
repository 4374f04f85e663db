import { isDeepStrictEqual } from 'node:util';
import type { AgentConfig } from '../config/schema/index.js';
import type { ApplyOutcome, Subsystem } from '../core/subsystem.js';
import type { IncomingMessage, PublishOptions, Uplink } from '../uplink/types.js';

/** A broker connection that can be started and stopped (MqttUplink). */
export type Connection = Uplink & { stop(): Promise<void>; start(): void };

/**
 * An Uplink whose underlying connection can be replaced when provisioning changes the broker
 * settings: the outbox and provisioning keep their reference; subscriptions and connection
 * listeners move over to the new connection.
 */
export class SwitchableUplink implements Uplink, Subsystem {
  readonly name = 'uplink';
  private current: Connection;
  private running = false;
  private readonly subscriptions: Array<{ filter: string; handler: (msg: IncomingMessage) => void }> = [];
  private readonly listeners = new Set<(connected: boolean) => void>();
  private detach: () => void = () => {};

  /** `connect` builds a connection for the mqtt settings (no I/O until started). */
  constructor(private readonly connect: (mqtt: AgentConfig['mqtt']) => Connection, mqtt: AgentConfig['mqtt']) {
    this.current = connect(mqtt);
  }

  get connected(): boolean {
    return this.current.connected;
  }

  get root(): string {
    return this.current.root;
  }

  /** The broker's MQTT 5 receive maximum, so the outbox sizes its in-flight window to it. */
  get receiveMaximum(): number | undefined {
    return this.current.receiveMaximum;
  }

  publish(topic: string, payload: Buffer | string, opts: PublishOptions): Promise<void> {
    return this.current.publish(topic, payload, opts);
  }

  publishAbsolute(topic: string, payload: Buffer | string, opts: PublishOptions): Promise<void> {
    return this.current.publishAbsolute(topic, payload, opts);
  }

  async subscribe(topicFilter: string, handler: (msg: IncomingMessage) => void): Promise<void> {
    this.subscriptions.push({ filter: topicFilter, handler });
    await this.current.subscribe(topicFilter, handler);
  }

  onConnectionChange(listener: (connected: boolean) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Stops the old connection (clean offline status) and moves everything to `next`. */
  async replace(next: Connection): Promise<void> {
    const old = this.current;
    this.detach();
    if (old.connected) for (const l of this.listeners) l(false);
    await old.stop();
    this.current = next;
    this.attach(next);
    next.start();
    await Promise.all(this.subscriptions.map((s) => next.subscribe(s.filter, s.handler)));
  }

  async start(): Promise<void> {
    this.running = true;
    this.attach(this.current);
    this.current.start();
  }

  stop(): Promise<void> {
    this.running = false;
    this.detach();
    return this.current.stop();
  }

  /** New broker settings: a new connection replaces the old one live. */
  async apply(next: AgentConfig, prev: AgentConfig): Promise<ApplyOutcome> {
    if (isDeepStrictEqual(prev.mqtt, next.mqtt)) return 'live';
    if (this.running) {
      await this.replace(this.connect(next.mqtt));
    } else {
      this.current = this.connect(next.mqtt);
      await Promise.all(this.subscriptions.map((s) => this.current.subscribe(s.filter, s.handler)));
    }
    return 'live';
  }

  private attach(uplink: Uplink): void {
    this.detach();
    this.detach = uplink.onConnectionChange((c) => {
      for (const l of this.listeners) l(c);
    });
  }
}
