import type { AgentConfig } from '../config/schema/index.js';
import { AgentError } from './errors.js';

/**
 * How a subsystem took a new configuration: `live` = it runs on it now; `restart` = it cannot take
 * it while running, so the runtime restarts it (and what starts after it) in-process on the new one.
 * The config schema says the same per section (`x-apply`, docs/config.md).
 */
export type ApplyOutcome = 'live' | 'restart';

/**
 * The one lifecycle every part of the running agent has. The runtime keeps them in an ordered list
 * (agent/runtime/lifecycle.ts): started in order, stopped in reverse. A constructor only stores its
 * dependencies; all work (files, processes, sockets, timers, listeners) starts in `start()`, and a
 * stopped subsystem can be started again on the config it is given then.
 */
export interface Subsystem {
  readonly name: string;
  start(): Promise<void>;
  stop(): Promise<void>;
  /**
   * Takes `next` (the running config was `prev`). Answers `restart` without changing anything
   * when it cannot take `next` while running. Also called while stopped: then it only answers.
   */
  apply(next: AgentConfig, prev: AgentConfig): Promise<ApplyOutcome>;
}

/**
 * A base that collects the disposers of what a subsystem subscribed to (bus listeners, connection
 * listeners) and removes them on stop, so a restarted subsystem never listens twice.
 */
export abstract class SubsystemBase implements Subsystem {
  abstract readonly name: string;
  private readonly disposers: Array<() => void> = [];

  abstract start(): Promise<void>;

  /** Removes the listeners; subclasses stop their own parts first, then call `super.stop()`. */
  async stop(): Promise<void> {
    for (const dispose of this.disposers.splice(0).reverse()) dispose();
  }

  apply(_next: AgentConfig, _prev: AgentConfig): Promise<ApplyOutcome> {
    return Promise.resolve('live');
  }

  /** Keeps `dispose` (what `bus.on`, `onConnectionChange`… returned) until stop. */
  protected track(...dispose: Array<() => void>): void {
    this.disposers.push(...dispose);
  }
}

/** Thrown by a subsystem's accessor while it is stopped (during an in-process restart, say). */
export function notRunning(name: string): AgentError {
  return new AgentError('SUBSYSTEM_NOT_RUNNING', `${name} is not running`, 'the agent is starting or restarting; try again in a few seconds');
}
