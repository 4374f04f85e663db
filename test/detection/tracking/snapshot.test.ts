import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import jpeg from 'jpeg-js';
import { normBox } from '../../../agent/core/object-event.js';
import { pixelBox, toPixelBox } from '../../../agent/detection/coords.js';
import { BestFrames } from '../../../agent/detection/snapshot/best-frames.js';
import { SnapshotEncoder } from '../../../agent/detection/snapshot/encoder.js';
import { gstI420Layout, snapshotI420 } from '../../../agent/detection/snapshot/render.js';
import { endChild } from '../../support/end-child.js';
import { tempDir } from '../../support/tmp.js';
import { waitFor } from '../../support/wait.js';

/** Pids of this process's children whose command line mentions `pattern`. */
function childPids(parent: number, pattern: string): number[] {
  try {
    return execFileSync('pgrep', ['-P', String(parent), '-f', pattern]).toString().trim().split('\n').map(Number);
  } catch {
    return []; // pgrep exits 1 when none match
  }
}

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** A mid-grey I420 frame (Y=126, U=V=128). */
function greyFrame(width: number, height: number): { width: number; height: number; data: Uint8Array } {
  const cw = (width + 1) >> 1;
  const ch = (height + 1) >> 1;
  const data = new Uint8Array(width * height + 2 * cw * ch).fill(128);
  data.fill(126, 0, width * height);
  return { width, height, data };
}

describe('snapshots', () => {
  it('encodes a JPEG of the frame (jpegenc) with the box outlined in red', async () => {
    const encoder = new SnapshotEncoder();
    const frame = greyFrame(320, 180);
    const out = await encoder.encodePixels(frame, [pixelBox(80, 45, 240, 135)]);
    await encoder.close();
    assert.equal(out.subarray(0, 2).toString('hex'), 'ffd8', 'JPEG SOI marker');
    const img = jpeg.decode(out, { useTArray: true });
    assert.equal(img.width, 320);
    assert.equal(img.height, 180);
    const px = (x: number, y: number): number[] => Array.from(img.data.subarray((y * 320 + x) * 4, (y * 320 + x) * 4 + 3));
    const [r, g, b] = px(81, 90); // left edge of the box
    assert.ok(r > 180 && g < 100 && b < 100, `box edge is red, got ${[r, g, b]}`);
    const [r2, g2, b2] = px(160, 90); // inside: untouched grey
    assert.ok(Math.abs(r2 - g2) < 12 && Math.abs(g2 - b2) < 12 && r2 > 100 && r2 < 150, `inside is grey, got ${[r2, g2, b2]}`);
    const [r3, g3] = px(10, 10); // outside
    assert.ok(Math.abs(r3 - g3) < 12);
  });

  it('lays odd-sized frames out as GStreamer does (padded rows) and encodes them to their size', async () => {
    const frame = greyFrame(161, 91);
    const layout = gstI420Layout(161, 91);
    assert.deepEqual([layout.yStride, layout.cStride, layout.chromaRows], [164, 84, 46]);
    assert.equal(snapshotI420(frame, []).length, layout.size);
    const encoder = new SnapshotEncoder();
    const img = jpeg.decode(await encoder.encodePixels(frame, [pixelBox(10, 10, 150, 80)]), { useTArray: true });
    await encoder.close();
    assert.deepEqual([img.width, img.height], [161, 91]);
  });

  it('keeps one copied frame per track until taken, shared between tracks of one frame', () => {
    const best = new BestFrames();
    const frame = greyFrame(64, 64);
    best.keep(frame, [
      { objectId: 'a', box: pixelBox(0, 0, 32, 32), ts: 1 },
      { objectId: 'b', box: pixelBox(32, 32, 64, 64), ts: 1 },
    ]);
    frame.data.fill(0); // the producer reuses its buffer
    const a = best.take('a');
    assert.ok(a);
    assert.equal(a.frame.data[0], 126, 'kept a copy, not the producer buffer');
    assert.deepEqual(a.box, [0, 0, 32, 32]);
    assert.equal(best.take('a'), undefined);
    assert.equal(best.size, 1);
    assert.equal(best.take('b')?.frame, a.frame);
  });

  it('encodes in its own process (0..1 boxes drawn in the frame\'s pixels), survives many encodes and sizes, and close() waits for them', async () => {
    const encoder = new SnapshotEncoder();
    const frame = greyFrame(160, 90);
    const pending = [encoder.encode(frame, [normBox(0.1, 0.1, 0.5, 0.9)]), encoder.encodePixels(frame, [pixelBox(80, 9, 144, 81)])];
    const [a, b] = await Promise.all(pending);
    assert.deepEqual(a, await encoder.encodePixels(frame, [toPixelBox(normBox(0.1, 0.1, 0.5, 0.9), frame)]));
    assert.deepEqual(a, await encoder.encodePixels(frame, [pixelBox(16, 9, 80, 81)]), '0.1..0.5 x 0.1..0.9 of 160x90');
    assert.notDeepEqual(a, b);
    const big = greyFrame(640, 360);
    const many: Promise<Buffer>[] = [];
    for (let i = 0; i < 200; i++) {
      many.push(encoder.encodePixels(i % 3 ? big : frame, [pixelBox(i, 10, i + 40, 60)]));
      if (i % 20 === 19 && i < 180) await Promise.all(many); // at most 20 waiting (32 is the backlog limit)
    }
    await encoder.close(); // the last 20 are still in flight: close waits for them
    const sizes = (await Promise.all(many)).map((j) => { const d = jpeg.decode(j); return `${d.width}x${d.height}`; });
    assert.equal(sizes.filter((s) => s === '640x360').length, 133);
    assert.equal(sizes.filter((s) => s === '160x90').length, 67);
    await assert.rejects(encoder.encode(frame, [normBox(0, 0, 1, 1)]), { code: 'SNAPSHOT_CLOSED' });
  });

  it('refuses snapshots beyond 32 waiting rather than growing memory', async () => {
    const encoder = new SnapshotEncoder();
    const frame = greyFrame(640, 360);
    const waiting = Array.from({ length: 32 }, () => encoder.encodePixels(frame, []));
    await assert.rejects(encoder.encodePixels(frame, []), { code: 'SNAPSHOT_BACKLOG' });
    await encoder.close();
    assert.equal((await Promise.all(waiting)).length, 32);
  });

  it('a crashed JPEG process fails only its snapshots (SNAPSHOT_ENCODER_FAILED) and is not respawned per snapshot', async () => {
    const encoder = new SnapshotEncoder();
    const frame = greyFrame(640, 360);
    await encoder.encodePixels(frame, []); // running
    const [pid] = childPids(process.pid, 'jpegenc');
    // Not in our process group: a terminal's Ctrl-C would otherwise end it before the agent's last snapshots.
    const group = (p: number): string => readFileSync(`/proc/${p}/stat`, 'utf8').split(') ')[1].split(' ')[2];
    assert.notEqual(group(pid), group(process.pid), 'the JPEG process has a process group of its own');
    // Frozen first, so the snapshot is surely in flight when the process dies (an encode takes ~10 ms).
    process.kill(pid, 'SIGSTOP');
    const waiting = encoder.encodePixels(frame, []);
    process.kill(pid, 'SIGKILL');
    await assert.rejects(waiting, { code: 'SNAPSHOT_ENCODER_FAILED' });
    await assert.rejects(encoder.encodePixels(frame, []), { code: 'SNAPSHOT_ENCODER_FAILED', message: /restarts/ });
    await encoder.close();
  });

  it('a GStreamer that cannot run the pipeline fails the waiting snapshot with its reason (SNAPSHOT_ENCODE_FAILED)', async () => {
    const gst = tempDir('snapshot-noplugins-');
    const saved = { ...process.env };
    // No plugins at all: gst-launch refuses the pipeline, as on a box without jpegenc.
    Object.assign(process.env, { GST_PLUGIN_SYSTEM_PATH_1_0: gst.dir, GST_PLUGIN_PATH_1_0: gst.dir, GST_REGISTRY_1_0: path.join(gst.dir, 'registry.bin') });
    const encoder = new SnapshotEncoder();
    try {
      await assert.rejects(encoder.encodePixels(greyFrame(160, 90), []), { code: 'SNAPSHOT_ENCODE_FAILED', message: /no element/ });
    } finally {
      process.env = saved;
      await encoder.close();
      gst.cleanup();
    }
  });

  it('the JPEG process dies with the agent, even a hung one whose agent was killed with SIGKILL', async () => {
    const dir = tempDir('snapshot-orphan-');
    const script = path.join(dir.dir, 'agent.ts');
    const encoderTs = path.resolve(__dirname, '../../../agent/detection/snapshot/encoder.ts');
    writeFileSync(script, [
      `import { SnapshotEncoder } from ${JSON.stringify(encoderTs)};`,
      'const encoder = new SnapshotEncoder();',
      "const frame = { width: 64, height: 36, data: new Uint8Array(64 * 36 * 3 / 2) };",
      "encoder.encodePixels(frame, []).then(() => { process.stdout.write('encoded\\n'); setInterval(() => undefined, 1000); });",
    ].join('\n'));
    const agent = spawn(process.execPath, ['--import', 'tsx', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      let out = '';
      agent.stdout.on('data', (b: Buffer) => (out += b.toString()));
      await waitFor(() => out.includes('encoded'), { what: 'the first snapshot' });
      const [jpeg] = childPids(agent.pid!, 'jpegenc');
      assert.ok(jpeg && alive(jpeg), 'the JPEG process runs');
      // Frozen, so it cannot leave on its own at the end of its input: only the kernel's kill can end it.
      process.kill(jpeg, 'SIGSTOP');
      agent.kill('SIGKILL');
      await waitFor(() => !alive(jpeg) || execFileSync('ps', ['-o', 'stat=', '-p', String(jpeg)]).toString().startsWith('Z'), { what: 'the orphaned JPEG process to die', timeoutMs: 20000 });
    } finally {
      for (const pid of childPids(1, 'jpegenc')) process.kill(pid, 'SIGKILL'); // an orphan left by a failure
      await endChild(agent, 'SIGKILL');
      dir.cleanup();
    }
  });
});
