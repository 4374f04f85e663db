import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { MosquittoBroker } from '../support/mosquitto.js';
import { REPO_ROOT, tempDir } from '../support/tmp.js';
import { waitFor } from '../support/wait.js';
import { Receiver } from './receiver.js';
import { clipMetaTopic, under } from '../../agent/contract/index.js';

function startChild(env: Record<string, string>) {
  const proc = spawn(process.execPath, ['--import', 'tsx', path.join(REPO_ROOT, 'test/outbox/outbox-child.ts')], { cwd: REPO_ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const state = { out: '', err: '' };
  proc.stdout.on('data', (d: Buffer) => (state.out += d.toString()));
  proc.stderr.on('data', (d: Buffer) => (state.err += d.toString()));
  const exited = new Promise<number | null>((r) => proc.on('exit', (code) => r(code)));
  const lines = (kind: string): string[][] => state.out.split('\n').filter((l) => l.startsWith(`${kind} `)).map((l) => l.split(' ').slice(1));
  return { proc, state, exited, lines };
}

describe('Outbox survives kill -9 (real process, real LevelDB, real Mosquitto)', function () {
  it('nothing confirmed durable is lost and seq continues without gap or reuse after the restart', async () => {
    const broker = await new MosquittoBroker({ persistence: true }).start();
    const tmp = tempDir('edge-outbox-kill-');
    const receiver = await new Receiver(broker.url, 'gw-kill').start();
    try {
      const env = { OUTBOX_DIR: path.join(tmp.dir, 'outbox'), BROKER_URL: broker.url, GATEWAY_ID: 'gw-kill' };
      const first = startChild({ ...env, MODE: 'run' });
      await waitFor(() => first.lines('durable').length >= 300 && first.lines('file').length >= 2, { timeoutMs: 90000, what: `child enqueued enough (${first.state.err})` });
      await new Promise((r) => setTimeout(r, Math.floor(Math.random() * 300)));
      first.proc.kill('SIGKILL');
      await first.exited;
      const durable = first.lines('durable').map(([seq, id]) => ({ seq: Number(seq), id }));
      const files = first.lines('file').map(([clipId, sha]) => ({ clipId, sha }));
      const maxDurable = Math.max(...durable.map((d) => d.seq));

      const second = startChild({ ...env, MODE: 'finish', COUNT: '20' });
      const code = await second.exited;
      assert.equal(code, 0, second.state.err);
      const after = second.lines('durable').map(([seq]) => Number(seq));
      assert.ok(after[0] > maxDurable, `seq continues after ${maxDurable}, got ${after[0]}`);
      assert.deepEqual(after, after.map((_, i) => after[0] + i));

      const last = after[after.length - 1];
      await waitFor(() => receiver.events().some((e) => e.seq === last), { what: 'last event at the receiver' });
      const { seqs, duplicates } = receiver.uniqueEventsInOrder(); // asserts: no gap, in order, no seq reused
      assert.equal(seqs[seqs.length - 1], last);
      const received = new Set(receiver.events().map((e) => e.id));
      for (const d of durable) assert.ok(received.has(d.id), `durable event seq ${d.seq} lost`);
      for (const f of files) {
        await waitFor(() => {
          const meta = receiver.arrivals.find((a) => a.topic === under(receiver.root, clipMetaTopic(f.clipId)));
          if (!meta) return false;
          const m = JSON.parse(meta.payload.toString()) as { chunks: number; sha256: string };
          const parts = new Map<number, Buffer>();
          for (const a of receiver.arrivals) {
            const hit = new RegExp(`^edge/gw-kill/clips/${f.clipId}/chunk/(\\d+)$`).exec(a.topic);
            if (hit) parts.set(Number(hit[1]), a.payload);
          }
          if (parts.size !== m.chunks) return false;
          const data = Buffer.concat([...Array(m.chunks).keys()].map((i) => parts.get(i)!));
          return m.sha256 === f.sha && createHash('sha256').update(data).digest('hex') === f.sha;
        }, { what: `file ${f.clipId} complete` });
      }
      console.log(`      killed after ${durable.length} durable events (seq ${maxDurable}), ${files.length} files; restart continued at ${after[0]}; ${duplicates} redeliveries`);
    } finally {
      await receiver.stop();
      await broker.dispose();
      tmp.cleanup();
    }
  });
});
