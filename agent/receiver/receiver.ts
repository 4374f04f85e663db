import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import mqtt, { type IClientOptions, type IPublishPacket, type MqttClient } from 'mqtt';
import { TypedBus } from '../core/bus.js';
import { AgentError } from '../core/errors.js';
import { ClipAssembler, type ClipOutcome } from './clip-assembler.js';
import { EventLog, type GapReport } from './event-log.js';
import { GatewayKeyPins } from '../identity/gateway-key-pins.js';
import type { TransferCounts, TransferLimits } from './transfer-limits.js';
import { centralSubscriptions, parseCentralTopic } from '../contract/index.js';

export interface ReceiverOptions {
  brokerUrl: string;
  /** Output folder: events.jsonl, gaps.jsonl, clips/. */
  outDir: string;
  /** One gateway id, or '+' for every gateway under the prefix. */
  gateway?: string;
  prefix?: string;
  /** Fixed, so the broker keeps this receiver's session (and queued messages) across restarts. */
  clientId?: string;
  sessionExpirySeconds?: number;
  protocolVersion?: 4 | 5;
  username?: string;
  password?: string;
  tls?: { ca?: string; cert?: string; key?: string; rejectUnauthorized?: boolean };
  /** A clip with no new chunk for this long is rejected as incomplete (default 15 min). */
  incompleteTimeoutMs?: number;
  /** Enrolment: a `<gateway>.pem` file or a folder of them, pinned for gateways not pinned yet (keys/). */
  gatewayKeys?: string;
  /** Per-gateway bounds of clip transfers (transfer-limits.ts for the defaults). */
  limits?: Partial<TransferLimits>;
  /** Event ids remembered per gateway for the duplicate check (default 100000). */
  maxEventIdsPerGateway?: number;
}

/** A gateway's status offered a key other than the pinned one (counted per gateway in summary.json). */
export interface KeyMismatch { count: number; pinned: string; offered: string; lastAt: string }

export interface ReceiverEvents {
  connected: { sessionPresent: boolean };
  disconnected: { reason: string };
  event: { gateway: string; event: Record<string, unknown> };
  duplicate: { gateway: string; id: string };
  gap: GapReport;
  /** `state` as the gateway's status says it (online / offline). */
  status: { gateway: string; state: string; hasPublicKey: boolean };
  /** A status carried a key other than the pinned one: refused (GATEWAY_KEY_MISMATCH). Fingerprints; savedAs holds the offered key. */
  keyRefused: { gateway: string; pinned: string; offered: string; savedAs: string };
  /** A gateway's key was seen for the first time and pinned. */
  keyPinned: { gateway: string; fingerprint: string };
  clip: Extract<ClipOutcome, { kind: 'ok' }>;
  rejected: Extract<ClipOutcome, { kind: 'rejected' }>;
  warning: { message: string };
}

export interface ReceiverStats {
  events: number;
  duplicates: number;
  missingSeqs: Record<string, number>;
  clips: number;
  rejected: number;
  pendingClips: number;
  keyMismatches: Record<string, KeyMismatch>;
  /** Per gateway: open transfers and what each bound refused or dropped (docs/receiver.md, Bounds). */
  transfers: Record<string, TransferCounts>;
  /** Event ids held for the duplicate check, per gateway. */
  eventIdsKept: Record<string, number>;
}

/**
 * The reference consumer for the central side: events into events.jsonl (deduplicated by id, seq gaps
 * reported), clips and snapshots reassembled and verified into clips/. A persistent MQTT session
 * (fixed client id, clean false, session expiry) with QoS 1, acknowledging each message only after
 * it is on disk, so a receiver that was down or crashed loses nothing the broker kept for it.
 */
export class Receiver {
  private readonly bus = new TypedBus<ReceiverEvents>();
  private readonly prefix: string;
  private readonly gateway: string;
  private readonly pins: GatewayKeyPins;
  private readonly keyMismatches: Record<string, KeyMismatch> = {};
  private client?: MqttClient;
  private sweepTimer?: NodeJS.Timeout;
  private readonly eventLog: EventLog;
  private readonly clips: ClipAssembler;
  private clipCount = 0;
  private rejectCount = 0;

  constructor(private readonly opts: ReceiverOptions) {
    this.prefix = opts.prefix ?? 'edge';
    this.gateway = opts.gateway ?? '+';
    mkdirSync(opts.outDir, { recursive: true });
    this.eventLog = new EventLog(opts.outDir, opts.maxEventIdsPerGateway);
    this.pins = new GatewayKeyPins(path.join(opts.outDir, 'keys'));
    if (opts.gatewayKeys) this.pins.enrol(opts.gatewayKeys);
    this.clips = new ClipAssembler({
      outDir: opts.outDir, publicKey: (gw) => this.pins.get(gw), refusedKey: (gw) => this.pins.refused(gw),
      incompleteTimeoutMs: this.incompleteTimeoutMs, limits: opts.limits,
    });
  }

  on<K extends keyof ReceiverEvents & string>(event: K, listener: (payload: ReceiverEvents[K]) => void): () => void {
    return this.bus.on(event, listener);
  }

  get clientId(): string {
    return this.opts.clientId ?? `edge-receiver-${os.hostname().replace(/[^A-Za-z0-9_-]/g, '')}`;
  }

  stats(): ReceiverStats {
    return {
      events: this.eventLog.count, duplicates: this.eventLog.duplicates, missingSeqs: this.eventLog.missing(),
      clips: this.clipCount, rejected: this.rejectCount, pendingClips: this.clips.pending,
      keyMismatches: structuredClone(this.keyMismatches), transfers: this.clips.counts(), eventIdsKept: this.eventLog.idsKept(),
    };
  }

  /** Connects and subscribes; resolves on the first successful subscription (keeps retrying until then). */
  start(): Promise<void> {
    const v5 = (this.opts.protocolVersion ?? 5) === 5;
    const options: IClientOptions = {
      clientId: this.clientId,
      clean: false,
      protocolVersion: v5 ? 5 : 4,
      reconnectPeriod: 2000,
      connectTimeout: 15000,
      username: this.opts.username,
      password: this.opts.password,
      ...(v5 ? { properties: { sessionExpiryInterval: this.opts.sessionExpirySeconds ?? 604800 } } : {}),
      ...this.tlsOptions(),
    };
    // Transfers a previous run had received completely but not finished (it stopped in between).
    for (const gw of this.pins.gateways()) this.emitClips(this.clips.onKey(gw));
    const client = mqtt.connect(this.opts.brokerUrl, options);
    this.client = client;
    // The broker gets PUBACK only once handle() has put the message on disk.
    client.handleMessage = (packet: IPublishPacket, done: (err?: Error) => void): void => {
      try {
        this.handle(packet.topic, Buffer.isBuffer(packet.payload) ? packet.payload : Buffer.from(packet.payload));
        done();
      } catch (err) {
        this.bus.emit('warning', { message: `cannot store a message on ${packet.topic}: ${(err as Error).message}` });
        done(err as Error); // not acknowledged: the broker delivers it again after the reconnect
      }
    };
    client.on('close', () => this.bus.emit('disconnected', { reason: 'connection closed' }));
    client.on('error', (err) => this.bus.emit('warning', { message: `mqtt: ${err.message}` }));
    this.sweepTimer = setInterval(() => {
      this.emitClips(this.clips.sweep());
      this.writeSummary();
    }, Math.min(30000, Math.max(200, this.incompleteTimeoutMs / 4)));
    this.sweepTimer.unref();

    return new Promise((resolve) => {
      let first = true;
      client.on('connect', (connack) => {
        this.bus.emit('connected', { sessionPresent: connack.sessionPresent });
        client.subscribe(centralSubscriptions(this.prefix, this.gateway), { qos: 1 }, (err, granted) => {
          if (err) {
            this.bus.emit('warning', { message: `subscribe failed: ${err.message}` });
            return;
          }
          // A refused filter comes back as a failure code (>= 0x80), typically a broker ACL.
          for (const g of granted ?? []) {
            if (g.qos >= 0x80) this.bus.emit('warning', { message: `broker refused the subscription ${g.topic} (code ${g.qos}); check its ACL for this user` });
          }
          if (first) {
            first = false;
            resolve();
          }
        });
      });
    });
  }

  async stop(): Promise<void> {
    if (this.sweepTimer) clearInterval(this.sweepTimer);
    const client = this.client;
    this.client = undefined;
    if (client) await client.endAsync();
    this.eventLog.close();
    this.writeSummary();
  }

  /** `summary.json`: the counts and the seqs still missing per gateway, for a glance or a monitoring probe. */
  private writeSummary(): void {
    try {
      const file = path.join(this.opts.outDir, 'summary.json');
      writeFileSync(`${file}.tmp`, JSON.stringify({ updatedAt: new Date().toISOString(), ...this.stats() }, null, 2) + '\n');
      renameSync(`${file}.tmp`, file);
    } catch (err) {
      this.bus.emit('warning', { message: `cannot write summary.json: ${(err as Error).message}` });
    }
  }

  private get incompleteTimeoutMs(): number {
    return this.opts.incompleteTimeoutMs ?? 15 * 60_000;
  }

  private handle(topic: string, payload: Buffer): void {
    const t = parseCentralTopic(this.prefix, topic);
    if (!t) return;
    switch (t.kind) {
      case 'status':
        return this.onStatus(t.gateway, payload);
      case 'event':
        return this.onEvent(t.gateway, payload);
      case 'clip-meta':
        return this.emitClips(this.clips.onMeta(t.gateway, t.clipId, payload));
      case 'clip-chunk':
        return this.emitClips(this.clips.onChunk(t.gateway, t.clipId, t.index, payload));
    }
  }

  private onStatus(gateway: string, payload: Buffer): void {
    if (payload.length === 0) return; // retained status cleared
    const status = parseObject(payload);
    if (!status) return this.bus.emit('warning', { message: `status of ${gateway} is not a JSON object` });
    const key = typeof status.publicKey === 'string' ? status.publicKey : undefined;
    this.bus.emit('status', { gateway, state: typeof status.state === 'string' ? status.state : '-', hasPublicKey: Boolean(key) });
    // The offline status (the gateway's will) carries no key: the pin on disk stays, clips may still be in flight.
    if (!key) return;
    const offer = this.pins.offer(gateway, key);
    if (offer.kind === 'invalid') return this.bus.emit('warning', { message: `status of ${gateway}: publicKey ignored: ${offer.reason}` });
    if (offer.kind === 'mismatch') {
      const m = this.keyMismatches[gateway] ?? { count: 0, pinned: offer.pinned, offered: offer.offered, lastAt: '' };
      this.keyMismatches[gateway] = { count: m.count + 1, pinned: offer.pinned, offered: offer.offered, lastAt: new Date().toISOString() };
      return this.bus.emit('keyRefused', { gateway, pinned: offer.pinned, offered: offer.offered, savedAs: offer.savedAs });
    }
    if (offer.kind === 'pinned') {
      this.bus.emit('keyPinned', { gateway, fingerprint: offer.fingerprint });
      this.emitClips(this.clips.onKey(gateway));
    }
  }

  private onEvent(gateway: string, payload: Buffer): void {
    const event = parseObject(payload);
    if (!event) return this.bus.emit('warning', { message: `event from ${gateway} is not a JSON object; dropped` });
    const r = this.eventLog.record(gateway, event);
    if (r.kind === 'duplicate') return this.bus.emit('duplicate', { gateway, id: r.id });
    if (r.gap) this.bus.emit('gap', r.gap);
    this.bus.emit('event', { gateway, event });
  }

  private emitClips(outcomes: ClipOutcome[]): void {
    for (const o of outcomes) {
      if (o.kind === 'ok') {
        this.clipCount++;
        this.bus.emit('clip', o);
      } else {
        this.rejectCount++;
        this.bus.emit('rejected', o);
      }
    }
  }

  private tlsOptions(): Partial<IClientOptions> {
    const tls = this.opts.tls;
    if (!tls) return {};
    const read = (file: string | undefined, what: string): Buffer | undefined => {
      if (!file) return undefined;
      try {
        return readFileSync(path.resolve(file));
      } catch (err) {
        throw new AgentError('RECEIVER_TLS_FILE', `cannot read the ${what} ${file}: ${(err as Error).message}`, 'check the path and its permissions');
      }
    };
    return { ca: read(tls.ca, 'CA certificate'), cert: read(tls.cert, 'client certificate'), key: read(tls.key, 'client key'), rejectUnauthorized: tls.rejectUnauthorized ?? true };
  }
}

function parseObject(payload: Buffer): Record<string, unknown> | null {
  try {
    const v: unknown = JSON.parse(payload.toString('utf8'));
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}
