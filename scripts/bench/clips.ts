/**
 * Clips and receiver benchmark: time to cut clips of several lengths from real TS segments (no
 * re-encode, gst-launch child included), the recordings index's one scan and retention over a large
 * folder, and the receiver's reassembly + verification rate for clips published over a local Mosquitto.
 *   npx tsx scripts/bench/clips.ts
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { cutClip } from '../../agent/clips/cut-clip.js';
import { Recordings } from '../../agent/clips/recordings.js';
import { loadOrCreateIdentity } from '../../agent/identity/gateway-identity.js';
import { Receiver } from '../../agent/receiver/receiver.js';
import { makeSegments } from '../../test/clips/support/segments.js';
import { GatewayPublisher } from '../../test/receiver/support/gateway-publisher.js';
import { MosquittoBroker } from '../../test/support/mosquitto.js';
import { tempDir, VIDEOS_DIR } from '../../test/support/tmp.js';

const REPEATS = 3;
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const round = (x: number, d = 2): number => Math.round(x * 10 ** d) / 10 ** d;

async function benchCuts(dir: string): Promise<Record<string, number>> {
  const base = 1_790_000_000_000;
  const recDir = path.join(dir, 'recordings');
  makeSegments({ video: path.join(VIDEOS_DIR, 'intel_car-detection.mp4'), cameraDir: path.join(recDir, 'cam'), baseMs: base, container: 'ts', maxSeconds: 10 });
  const recordings = new Recordings({ dir: recDir, retentionHours: 1e6, maxBytes: 1 << 30 });
  const out: Record<string, number> = {};
  for (const seconds of [1, 10, 28]) {
    const times: number[] = [];
    for (let i = 0; i < REPEATS; i++) {
      const t = performance.now();
      await cutClip({ recordings, cameraId: 'cam', fromMs: base + 1000, toMs: base + 1000 + seconds * 1000, outFile: path.join(dir, `cut-${seconds}-${i}.mp4`) });
      times.push(performance.now() - t);
    }
    out[`cut${seconds}sMs`] = Math.round(median(times));
  }
  return out;
}

function benchRetention(dir: string): Record<string, number> {
  const recDir = path.join(dir, 'retention');
  const now = 1_790_000_000_000;
  const perCamera = 2000; // 4 cameras x 2000 x 10 s segments = 5.5 h each
  for (let cam = 0; cam < 4; cam++) {
    mkdirSync(path.join(recDir, `cam${cam}`), { recursive: true });
    for (let i = 0; i < perCamera; i++) {
      const start = now - (perCamera - i) * 10_000;
      writeFileSync(path.join(recDir, `cam${cam}`, `${start}_${start + 10_000}.ts`), Buffer.alloc(1024));
    }
  }
  const rec = new Recordings({ dir: recDir, retentionHours: 4, maxBytes: 1024 * 4000, now: () => now });
  const t0 = performance.now();
  rec.segments('cam0'); // the first use scans the folders once (an agent start)
  const scanMs = performance.now() - t0;
  const t = performance.now();
  const r = rec.enforceRetention();
  const ms = performance.now() - t;
  const t2 = performance.now();
  rec.enforceRetention();
  return { retentionFiles: 4 * perCamera, retentionDeleted: r.deletedFiles, retentionScanMs: Math.round(scanMs), retentionMs: Math.round(ms), retentionNoopMs: Math.round(performance.now() - t2) };
}

async function benchReceiver(dir: string): Promise<Record<string, number>> {
  const broker = await new MosquittoBroker().start();
  const gw = new GatewayPublisher(broker.url, 'edge', 'gw-bench', loadOrCreateIdentity(path.join(dir, 'gw')));
  const receiver = new Receiver({ brokerUrl: broker.url, outDir: path.join(dir, 'central'), clientId: 'bench-central' });
  try {
    await gw.connect();
    await gw.publishStatus();
    await receiver.start();
    const clip = readFileSync(path.join(VIDEOS_DIR, 'intel_car-detection.mp4'));
    const clips = 10;
    let done = 0;
    const all = new Promise<void>((resolve) => receiver.on('clip', () => ++done === clips && resolve()));
    const t = performance.now();
    for (let i = 0; i < clips; i++) await gw.publishClip(clip, { clipId: `bench-${i}` });
    await all;
    const s = (performance.now() - t) / 1000;
    return { receiverClips: clips, receiverMBps: round((clips * clip.length) / 1048576 / s, 1), receiverClipMs: Math.round((s * 1000) / clips) };
  } finally {
    await receiver.stop();
    await gw.close();
    await broker.dispose();
  }
}

export async function run(): Promise<Record<string, unknown>> {
  const tmp = tempDir('bench-clips-');
  try {
    return { ...(await benchCuts(tmp.dir)), ...benchRetention(tmp.dir), ...(await benchReceiver(tmp.dir)) };
  } finally {
    tmp.cleanup();
  }
}

if (require.main === module) {
  run().then((r) => {
    process.stdout.write([
      'clips benchmark',
      `  cut (child process, no re-encode, median of ${REPEATS}): 1 s ${String(r.cut1sMs)} ms, 10 s ${String(r.cut10sMs)} ms, 28 s ${String(r.cut28sMs)} ms`,
      `  retention over ${String(r.retentionFiles)} segment files: index scan once at start ${String(r.retentionScanMs)} ms, then ${String(r.retentionMs)} ms (deleted ${String(r.retentionDeleted)}), nothing to do: ${String(r.retentionNoopMs)} ms`,
      `  receiver: ${String(r.receiverClips)} clips of 2.7 MB (published one QoS 1 message at a time) reassembled + verified at ${String(r.receiverMBps)} MB/s (${String(r.receiverClipMs)} ms per clip)`,
      JSON.stringify({ bench: 'clips', ...r }),
    ].join('\n') + '\n');
    process.exit(0);
  }, (err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  });
}
