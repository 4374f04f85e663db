import mqtt, { type MqttClient } from 'mqtt';

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

function describe(kind: string, m: Record<string, unknown>): string {
  if (kind === 'status') return `${String(m.state)} (version ${String(m.version)})`;
  if (kind === 'events') {
    const box = Array.isArray(m.box) ? (m.box as number[]).map((v) => v.toFixed(2)).join(',') : '';
    return `#${String(m.seq)} ${String(m.type).padEnd(6)} ${String(m.label)} ${Number(m.score).toFixed(2)} on ${String(m.camera)} [${box}] ${String(m.objectId)}`;
  }
  if (kind === 'health') {
    const cams = Object.entries((m.cameras ?? {}) as Record<string, Record<string, unknown>>)
      .map(([id, c]) => `${id}: ${String(c.state)} ${Number(c.fpsIn ?? 0).toFixed(1)} fps in, ${Number(c.detectFps ?? 0).toFixed(1)} detected`)
      .join('; ');
    const ob = m.outbox as Record<string, unknown> | undefined;
    return `${cams}${ob ? ` | outbox ${String(ob.pending)} pending` : ''}`;
  }
  if (kind === 'file') return `${String(m.contentType)} ${String(m.clipId)} ${String(m.bytes)} bytes in ${String(m.chunks)} chunks (camera ${String(m.camera)})`;
  return JSON.stringify(m).slice(0, 160);
}
