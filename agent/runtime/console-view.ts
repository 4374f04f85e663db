import mqtt, { type MqttClient } from 'mqtt';
import { EVENTS_TOPIC, HEALTH_TOPIC, STATUS_TOPIC, type EventMessage, type FileMetaMessage, type HealthMessage, type StatusMessage } from '../contract/index.js';

/** One readable line per message a gateway publishes: the demo's live view of the uplink. */
export class ConsoleView {
  private client?: MqttClient;
  private readonly counts = new Map<string, number>();

  constructor(private readonly url: string, private readonly filter: string, private readonly out: NodeJS.WritableStream) {}

  async start(): Promise<this> {
    const client = mqtt.connect(this.url, { protocolVersion: 4, clientId: `demo-view-${process.pid}` });
    this.client = client;
    client.on('message', (topic, payload) => this.print(topic, payload));
    await client.subscribeAsync(this.filter, { qos: 1 });
    return this;
  }

  private print(topic: string, payload: Buffer): void {
    const kind = topic.split('/').slice(2).join('/');
    const key = kind.startsWith('clips/') ? (kind.includes('/chunk/') ? 'chunk' : 'file') : kind;
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
    if (key === 'chunk') return;
    const time = new Date().toISOString().slice(11, 19);
    let line: string;
    try {
      const m = JSON.parse(payload.toString()) as Record<string, unknown>;
      line = describe(key, m);
    } catch {
      line = `${payload.length} bytes`;
    }
    this.out.write(`${time} ${key.padEnd(8)} ${line}\n`);
  }

  summary(): string {
    return `demo: published ${[...this.counts].map(([k, n]) => `${n} ${k}`).join(', ') || 'nothing'}`;
  }

  async stop(): Promise<void> {
    await this.client?.endAsync(true);
  }
}

/** A line for a gateway's own message (the demo trusts its own agent; missing fields print as undefined). */
function describe(kind: string, m: Record<string, unknown>): string {
  if (kind === STATUS_TOPIC) {
    const s = m as Partial<StatusMessage>;
    return `${String(s.state)} (version ${String(s.version)})`;
  }
  if (kind === EVENTS_TOPIC) {
    const e = m as Partial<EventMessage>;
    const box = Array.isArray(e.box) ? e.box.map((v) => v.toFixed(2)).join(',') : '';
    return `#${String(e.seq)} ${String(e.type).padEnd(6)} ${String(e.label)} ${Number(e.score).toFixed(2)} on ${String(e.camera)} [${box}] ${String(e.objectId)}`;
  }
  if (kind === HEALTH_TOPIC) {
    const h = m as Partial<HealthMessage>;
    const cams = Object.entries(h.cameras ?? {})
      .map(([id, c]) => `${id}: ${String(c.state)} ${Number(c.fpsIn ?? 0).toFixed(1)} fps in, ${Number(c.detectFps ?? 0).toFixed(1)} detected`)
      .join('; ');
    return `${cams}${h.outbox ? ` | outbox ${String(h.outbox.pending)} pending` : ''}`;
  }
  if (kind === 'file') {
    const f = m as Partial<FileMetaMessage>;
    return `${String(f.contentType)} ${String(f.clipId)} ${String(f.bytes)} bytes in ${String(f.chunks)} chunks (camera ${String(f.camera)})`;
  }
  return JSON.stringify(m).slice(0, 160);
}
