import net from 'node:net';
import { waitFor } from './wait.js';

function mqttString(s: string): Buffer {
  const b = Buffer.from(s, 'utf8');
  const len = Buffer.alloc(2);
  len.writeUInt16BE(b.length);
  return Buffer.concat([len, b]);
}

function packet(type: number, body: Buffer): Buffer {
  const lenBytes: number[] = [];
  let n = body.length;
  do {
    let byte = n % 128;
    n = Math.floor(n / 128);
    if (n > 0) byte |= 128;
    lenBytes.push(byte);
  } while (n > 0);
  return Buffer.concat([Buffer.from([type, ...lenBytes]), body]);
}

/**
 * A QoS 1 subscriber that stops reading its socket once subscribed: the broker's queue for it only
 * grows and nothing is acknowledged. Raw MQTT 3.1.1 bytes, because a real client library always reads.
 */
export class StalledSubscriber {
  private socket?: net.Socket;

  constructor(private readonly port: number, private readonly filter: string) {}

  async start(): Promise<this> {
    const socket = net.connect(this.port, '127.0.0.1');
    this.socket = socket;
    let received = Buffer.alloc(0);
    socket.on('data', (d: Buffer) => (received = Buffer.concat([received, d])));
    socket.on('error', () => undefined);
    await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
    // CONNECT: protocol MQTT level 4, clean session, keep-alive 0 (never pinged, never dropped).
    socket.write(packet(0x10, Buffer.concat([mqttString('MQTT'), Buffer.from([4, 0x02, 0, 0]), mqttString(`stalled-${process.pid}`)])));
    socket.write(packet(0x82, Buffer.concat([Buffer.from([0, 1]), mqttString(this.filter), Buffer.from([1])])));
    await waitFor(() => received.includes(0x90), { timeoutMs: 20000, what: 'SUBACK for the stalled subscriber' });
    socket.pause(); // from here on the broker's writes to it pile up
    return this;
  }

  stop(): void {
    this.socket?.destroy();
  }
}
