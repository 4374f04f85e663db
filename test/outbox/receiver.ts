import { createHash, generateKeyPairSync, sign } from 'node:crypto';
import assert from 'node:assert/strict';
import mqtt, { type MqttClient } from 'mqtt';
import { fileSigningPayload } from '../../agent/identity/file-signature.js';
import { verifySignature } from '../../agent/identity/gateway-identity.js';
import { EVENTS_TOPIC, gatewayRoot, parseCentralTopic, under, type EventMessage, type FileMetaMessage } from '../../agent/contract/index.js';
import { waitFor } from '../support/wait.js';

/** A throw-away gateway key: the outbox signs with it, the receiver verifies with the public half. */
export function testSigner(): { sign: (d: Buffer) => string; publicKeyPem: string } {
  const pair = generateKeyPairSync('ed25519');
  return { sign: (d) => sign(null, d, pair.privateKey).toString('base64'), publicKeyPem: pair.publicKey.export({ type: 'spki', format: 'pem' }).toString() };
}

export interface ReceivedFile {
  meta: FileMetaMessage;
  data: Buffer;
}

/**
 * The central side as the tests need it: a persistent-session subscriber (clean false, so messages
 * published while it was away are kept by the broker) recording every message in arrival order.
 */
export class Receiver {
  readonly arrivals: Array<{ topic: string; payload: Buffer }> = [];
  private client?: MqttClient;

  constructor(private readonly url: string, private readonly gatewayId: string, private readonly clientId = `central-${Math.random().toString(36).slice(2)}`) {}

  async start(): Promise<this> {
    const client = mqtt.connect(this.url, { protocolVersion: 5, clean: false, clientId: this.clientId, reconnectPeriod: 300, properties: { sessionExpiryInterval: 3600 } });
    this.client = client;
    client.on('message', (topic, payload) => this.arrivals.push({ topic, payload }));
    await waitFor(() => client.connected, { what: 'receiver connected' });
    await client.subscribeAsync(under(this.root, '#'), { qos: 1 });
    return this;
  }

  async stop(): Promise<void> {
    await this.client?.endAsync(true);
  }

  get root(): string {
    return gatewayRoot('edge', this.gatewayId);
  }

  /** Every events message in arrival order (QoS 1: may contain redeliveries). */
  events(): EventMessage[] {
    return this.arrivals.filter((a) => a.topic === under(this.root, EVENTS_TOPIC)).map((a) => JSON.parse(a.payload.toString()) as EventMessage);
  }

  /**
   * What a receiver does with at-least-once delivery: keeps the first copy of each id. Asserts the
   * first copies come in seq order with no gap from `fromSeq`, and that no seq carries two ids.
   */
  uniqueEventsInOrder(fromSeq = 1): { seqs: number[]; duplicates: number } {
    const byId = new Map<string, number>();
    const seqs: number[] = [];
    let duplicates = 0;
    for (const e of this.events()) {
      const prev = byId.get(e.id);
      if (prev !== undefined) {
        assert.equal(prev, e.seq, `event ${e.id} came back with another seq`);
        duplicates++;
        continue;
      }
      byId.set(e.id, e.seq);
      assert.equal(e.seq, fromSeq + seqs.length, `events out of order or with a gap: got seq ${e.seq} after ${seqs[seqs.length - 1] ?? '(none)'}`);
      seqs.push(e.seq);
    }
    return { seqs, duplicates };
  }

  /** Files reassembled from meta + chunks, checked against sha256 and the gateway signature. */
  files(publicKeyPem: string): Map<string, ReceivedFile> {
    const metas = new Map<string, FileMetaMessage>();
    const chunks = new Map<string, Map<number, Buffer>>();
    for (const a of this.arrivals) {
      const t = parseCentralTopic('edge', a.topic);
      if (t?.kind === 'clip-meta') metas.set(t.clipId, JSON.parse(a.payload.toString()) as FileMetaMessage);
      else if (t?.kind === 'clip-chunk') {
        if (!chunks.has(t.clipId)) chunks.set(t.clipId, new Map());
        chunks.get(t.clipId)!.set(t.index, a.payload);
      }
    }
    const out = new Map<string, ReceivedFile>();
    for (const [clipId, meta] of metas) {
      const parts = chunks.get(clipId) ?? new Map<number, Buffer>();
      if (parts.size !== meta.chunks) continue;
      const data = Buffer.concat([...Array(meta.chunks).keys()].map((i) => parts.get(i)!));
      assert.equal(data.length, meta.bytes, `${clipId}: size`);
      assert.equal(createHash('sha256').update(data).digest('hex'), meta.sha256, `${clipId}: sha256`);
      assert.ok(verifySignature(publicKeyPem, fileSigningPayload(meta), meta.signature), `${clipId}: signature`);
      out.set(clipId, { meta, data });
    }
    return out;
  }

  indexOf(pred: (topic: string) => boolean, last = false): number {
    const idx = this.arrivals.map((a, i) => (pred(a.topic) ? i : -1)).filter((i) => i >= 0);
    return idx.length ? (last ? idx[idx.length - 1] : idx[0]) : -1;
  }
}
