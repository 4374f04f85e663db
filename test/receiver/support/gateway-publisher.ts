import { createHash } from 'node:crypto';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import {
  clipChunkTopic, clipMetaTopic, EVENTS_TOPIC, gatewayRoot, STATUS_TOPIC, under, type EventMessage, type FileMetaMessage, type OnlineStatus, type WillStatus,
} from '../../../agent/contract/index.js';
import { AGENT_VERSION } from '../../../agent/core/version.js';
import { fileSigningPayload, type SignedFileMeta } from '../../../agent/identity/file-signature.js';
import type { GatewayIdentity } from '../../../agent/identity/gateway-identity.js';

export interface ClipPublishOptions {
  clipId: string;
  camera?: string;
  eventId?: string | null;
  contentType?: string;
  chunkBytes?: number;
  /** Order chunks are sent in; meta goes first unless metaLast. */
  order?: 'forward' | 'reverse';
  metaLast?: boolean;
  /** Send every chunk (and the meta) twice. */
  duplicate?: boolean;
  /** Tamper with a chunk after signing (corruption in transit). */
  alterChunk?: (index: number, data: Buffer) => Buffer;
  /** Chunks never sent. */
  skipChunks?: number[];
  /** Sign with this identity instead of the gateway's. */
  signer?: GatewayIdentity;
}

/**
 * Publishes exactly what a gateway puts on the wire (status with publicKey, events with id/seq,
 * clips as signed meta + chunks) with a real MQTT client and a real Ed25519 key, so the receiver is
 * tested against the documented format rather than against the outbox's code.
 */
export class GatewayPublisher {
  private client!: MqttClient;

  constructor(private readonly url: string, readonly prefix: string, readonly gateway: string, readonly identity: GatewayIdentity) {}

  async connect(extra: IClientOptions = {}): Promise<void> {
    this.client = await mqtt.connectAsync(this.url, { protocolVersion: 5, clientId: `gw-test-${this.gateway}-${process.pid}`, reconnectPeriod: 500, ...extra });
  }

  async close(): Promise<void> {
    await this.client?.endAsync();
  }

  private topic(rel: string): string {
    return under(gatewayRoot(this.prefix, this.gateway), rel);
  }

  async publishStatus(): Promise<void> {
    const status: OnlineStatus = { state: 'online', version: AGENT_VERSION, ts: new Date().toISOString(), gatewayId: this.gateway, publicKey: this.identity.publicKeyPem, cameras: ['cam1'] };
    await this.client.publishAsync(this.topic(STATUS_TOPIC), JSON.stringify(status), { qos: 1, retain: true });
  }

  /** What the gateway's will or clean stop leaves retained: no public key in it. */
  async publishOffline(): Promise<void> {
    const will: WillStatus = { state: 'offline', version: AGENT_VERSION, reason: 'connection lost' };
    await this.client.publishAsync(this.topic(STATUS_TOPIC), JSON.stringify(will), { qos: 1, retain: true });
  }

  /** The receiver needs only `id` and `seq` of an event; the rest is stored as it came. */
  async publishEvent(event: Pick<EventMessage, 'id' | 'seq'> & Partial<EventMessage>): Promise<void> {
    await this.client.publishAsync(this.topic(EVENTS_TOPIC), JSON.stringify(event), { qos: 1 });
  }

  /** Returns the meta as published. */
  async publishClip(file: Buffer, o: ClipPublishOptions): Promise<FileMetaMessage> {
    const chunkBytes = o.chunkBytes ?? 128 * 1024;
    const chunks: Buffer[] = [];
    for (let off = 0; off < file.length; off += chunkBytes) chunks.push(file.subarray(off, off + chunkBytes));
    const signed: SignedFileMeta = {
      clipId: o.clipId, camera: o.camera ?? 'cam1', eventId: o.eventId ?? null,
      startTs: '2026-11-29T12:00:00.000Z', endTs: '2026-11-29T12:00:10.000Z',
      bytes: file.length, chunks: chunks.length, sha256: createHash('sha256').update(file).digest('hex'),
      contentType: o.contentType ?? 'video/mp4',
    };
    const meta: FileMetaMessage = { id: `out-${o.clipId}`, ...signed, signature: (o.signer ?? this.identity).sign(fileSigningPayload(signed)) };
    const times = o.duplicate ? 2 : 1;
    const sendMeta = async (): Promise<void> => {
      for (let i = 0; i < times; i++) await this.client.publishAsync(this.topic(clipMetaTopic(o.clipId)), JSON.stringify(meta), { qos: 1 });
    };
    if (!o.metaLast) await sendMeta();
    const order = chunks.map((_, i) => i);
    if (o.order === 'reverse') order.reverse();
    for (const n of order) {
      if (o.skipChunks?.includes(n)) continue;
      const data = o.alterChunk ? o.alterChunk(n, Buffer.from(chunks[n])) : chunks[n];
      for (let i = 0; i < times; i++) await this.client.publishAsync(this.topic(clipChunkTopic(o.clipId, n)), data, { qos: 1 });
    }
    if (o.metaLast) await sendMeta();
    return meta;
  }
}
