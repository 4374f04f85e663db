import { EventEmitter } from 'node:events';

/**
 * A typed event bus: subsystems publish facts (a frame arrived, an event started, a segment closed)
 * and others subscribe, without reaching into each other's internals. A listener that throws is
 * reported through `onListenerError` and never breaks the publisher.
 */
export class TypedBus<Events extends object> {
  private readonly emitter = new EventEmitter();

  constructor(private readonly onListenerError: (event: string, err: unknown) => void = () => {}) {
    this.emitter.setMaxListeners(100);
  }

  on<K extends keyof Events & string>(event: K, listener: (payload: Events[K]) => void): () => void {
    const safe = (payload: Events[K]): void => {
      try {
        listener(payload);
      } catch (err) {
        this.onListenerError(event, err);
      }
    };
    this.emitter.on(event, safe);
    return () => this.emitter.off(event, safe);
  }

  emit<K extends keyof Events & string>(event: K, payload: Events[K]): void {
    this.emitter.emit(event, payload);
  }
}
