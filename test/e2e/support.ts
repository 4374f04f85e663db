import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { VIDEOS_DIR } from '../support/tmp.js';

/** A real street clip from the shared footage, as a looping file camera. */
export function fileCamera(id: string, clip: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { id, source: { kind: 'file', path: path.join(VIDEOS_DIR, clip), loop: true }, ...extra };
}

/** Writes an agent config (gateway id, broker, data dir under `dir`) to `dir/<fileName>` and returns its path. */
export function writeAgentConfig(dir: string, gatewayId: string, brokerUrl: string, extra: Record<string, unknown>, fileName = `${gatewayId}.json`): string {
  const file = path.join(dir, fileName);
  writeFileSync(file, JSON.stringify({ gateway: { id: gatewayId, dataDir: path.join(dir, `${gatewayId}-data`) }, mqtt: { url: brokerUrl, topicPrefix: 'edge', reconnectMinMs: 500, reconnectMaxMs: 2000 }, ...extra }, null, 2));
  return file;
}
