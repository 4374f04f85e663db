/**
 * An agent-sized process that enqueues and drains, for the kill -9 test. Prints a line for every
 * item once the outbox confirmed it durable, so the test knows what must never be lost.
 *   MODE=run     enqueue events (and a clip every 40 events) until killed
 *   MODE=finish  enqueue COUNT more events, wait until everything is acknowledged, exit
 */
import { createHash, randomBytes } from 'node:crypto';
import { Outbox } from '../../agent/outbox/outbox.js';
import { MqttUplink } from '../../agent/uplink/mqtt-uplink.js';
import { mqttConfig, quietLogger } from '../uplink/helpers.js';
import { clipMeta, outboxConfig } from './helpers.js';
import { objectEvent } from '../support/object-event.js';

const env = (k: string): string => process.env[k] ?? '';

async function main(): Promise<void> {
  const outbox = await Outbox.open({ dir: env('OUTBOX_DIR'), config: outboxConfig({ sync: 'interval', inflight: 16 }), chunkBytes: 64 * 1024, sign: () => 'unsigned-test', logger: quietLogger });
  const uplink = new MqttUplink({ mqtt: mqttConfig(env('BROKER_URL')), gatewayId: env('GATEWAY_ID'), statusPayload: () => ({}), logger: quietLogger });
  uplink.start();
  outbox.attach(uplink);
  const out = (line: string): boolean => process.stdout.write(`${line}\n`);
  out(`pending ${outbox.stats().pending}`);
  const count = env('MODE') === 'finish' ? Number(env('COUNT')) : Infinity;
  for (let i = 0; i < count; i++) {
    const r = await outbox.enqueueEvent(objectEvent({ objectId: `p${process.pid}-${i}` }));
    out(`durable ${r.seq} ${r.id}`);
    if (i % 40 === 39) {
      const data = randomBytes(150 * 1024);
      const clipId = `k-${process.pid}-${i}`;
      await outbox.enqueueFile('clip', data, clipMeta(clipId));
      out(`file ${clipId} ${createHash('sha256').update(data).digest('hex')}`);
    }
    if (i % 5 === 0) await new Promise((r) => setTimeout(r, 2));
  }
  while (outbox.stats().pending > 0) await new Promise((r) => setTimeout(r, 50));
  out('drained');
  await outbox.close();
  await uplink.stop();
}

main().catch((err: Error) => {
  process.stderr.write(`${err.stack ?? err.message}\n`);
  process.exit(1);
});
