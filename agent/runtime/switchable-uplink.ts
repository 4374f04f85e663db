import type { IncomingMessage, PublishOptions, Uplink } from '../uplink/types.js';

/**
 * An Uplink whose underlying connection can be replaced when provisioning changes the broker
 * settings: the outbox and provisioning keep their reference; subscriptions and connection
 * listeners move over to the new connection.
 */
export class SwitchableUplink implements Uplink {
  private readonly subscriptions: Array<{ filter: string; handler: (msg: IncomingMessage) => void }> = [];
  private readonly listeners = new Set<(connected: boolean) => void>();
  private detach: () => void = () => {};

  constructor(private current: Uplink & { stop(): Promise<void>; start(): void }) {
    this.attach(current);
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

  get inner(): Uplink {
    return this.current;
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
  async replace(next: Uplink & { stop(): Promise<void>; start(): void }): Promise<void> {
    const old = this.current;
    this.detach();
    if (old.connected) for (const l of this.listeners) l(false);
    await old.stop();
    this.current = next;
    this.attach(next);
    next.start();
    await Promise.all(this.subscriptions.map((s) => next.subscribe(s.filter, s.handler)));
  }

  start(): void {
    this.current.start();
  }

  stop(): Promise<void> {
    this.detach();
    return this.current.stop();
  }

  private attach(uplink: Uplink): void {
    this.detach = uplink.onConnectionChange((c) => {
      for (const l of this.listeners) l(c);
    });
  }
}
