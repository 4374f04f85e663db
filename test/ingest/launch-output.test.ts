import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { GdpReader } from '../../agent/core/gdp.js';
import { parseStdoutLine, StderrReader, structureField, type LaunchProblem } from '../../agent/ingest/launch-output.js';
import { launchArgv } from '../../agent/ingest/pipeline-templates.js';

/** A real gst-launch-1.0 run: its stdout/stderr and what it wrote to fd 3. */
function launch(description: string): { stdout: string; stderr: string; fd3: Buffer } {
  const res = spawnSync('gst-launch-1.0', ['-m', '-e', ...launchArgv(description)], { stdio: ['ignore', 'pipe', 'pipe', 'pipe'], maxBuffer: 64 * 1024 * 1024, timeout: 60000 });
  const out = res.output as Array<Buffer | null>;
  return { stdout: String(out[1] ?? ''), stderr: String(out[2] ?? ''), fd3: out[3] ?? Buffer.alloc(0) };
}

describe('camera ingest: what a gst-launch-1.0 child says', () => {
  it('frames come back whole on fd 3 as GDP, with their timestamps, however the pipe splits them', () => {
    const { fd3 } = launch('videotestsrc num-buffers=7 ! video/x-raw,format=I420,width=160,height=120,framerate=5/1 ! gdppay ! fdsink fd=3');
    for (const chunkBytes of [1, 61, 4096, 65536, fd3.length]) {
      const reader = new GdpReader();
      const frames: Array<{ pts?: bigint; bytes: number }> = [];
      let caps = '';
      for (let i = 0; i < fd3.length; i += chunkBytes) {
        for (const p of reader.push(fd3.subarray(i, i + chunkBytes))) {
          if (p.kind === 'buffer') frames.push({ pts: p.ptsNs, bytes: p.data.length });
          else caps = p.caps;
        }
      }
      assert.equal(frames.length, 7, `chunks of ${chunkBytes}`);
      assert.ok(frames.every((f) => f.bytes === (160 * 120 * 3) / 2));
      assert.deepEqual(frames.map((f) => f.pts), [0n, 200000000n, 400000000n, 600000000n, 800000000n, 1000000000n, 1200000000n]);
      assert.match(caps, /^video\/x-raw, .*format=\(string\)I420/);
    }
  });

  it('a stream that is not GDP is refused, not read as frames', () => {
    assert.throws(() => new GdpReader().push(Buffer.alloc(200, 7)), /not a GDP/);
  });

  it('reads splitmuxsink segment messages (locations with spaces, commas and quotes) and the EOS', () => {
    const dir = `/tmp/edge launch, "test" ${process.pid}`;
    spawnSync('mkdir', ['-p', dir]);
    try {
      // A live source, as the agent's cameras are: a stream that ends before the pipeline reaches
      // PLAYING (30 unsynced frames encode in 0.1 s) loses its EOS in GStreamer 1.22's bin ("Not
      // forwarding EOS due to in progress state change") and gst-launch waits for good: 1 run in 4 here.
      const { stdout } = launch(`videotestsrc is-live=true num-buffers=30 ! video/x-raw,framerate=30/1 ! x264enc key-int-max=5 tune=zerolatency ! h264parse ! splitmuxsink name=rec muxer=mpegtsmux max-size-time=300000000 location="${dir.replace(/"/g, '\\"')}/seg%02d.ts"`);
      const msgs = stdout.split('\n').map(parseStdoutLine).filter((m) => m !== undefined);
      const opened = msgs.filter((m) => m.kind === 'fragment-opened');
      const closed = msgs.filter((m) => m.kind === 'fragment-closed');
      assert.ok(opened.length >= 3, stdout.slice(-2000));
      assert.equal(closed.length, opened.length, 'every segment opened is closed by the EOS');
      assert.equal(opened[0].kind === 'fragment-opened' && opened[0].location, `${dir}/seg00.ts`);
      assert.ok(closed.every((m) => m.kind === 'fragment-closed' && typeof m.runningNs === 'number' && m.runningNs > 0));
      // gst-launch prints the bus until it exits: the last fragment-closed may come after the EOS, so
      // the order is not asserted (the agent reads both until the child's output ends).
      assert.equal(msgs.filter((m) => m.kind === 'eos').length, 1, stdout.slice(-2000));
    } finally {
      spawnSync('rm', ['-rf', dir]);
    }
  });

  it('reads the first error block of stderr with its element and debug text, and a refused description', () => {
    const problems: LaunchProblem[] = [];
    const reader = new StderrReader((p) => problems.push(p));
    for (const line of launch('filesrc location=/nonexistent/clip.mp4 ! parsebin ! fakesink').stderr.split('\n')) reader.line(line);
    reader.flush();
    assert.equal(problems[0].level, 'error');
    assert.equal(problems[0].element, '/GstPipeline:pipeline0/GstFileSrc:filesrc0');
    assert.equal(problems[0].message, 'Resource not found.');
    assert.match(problems[0].debug, /No such file "\/nonexistent\/clip.mp4"/);
    const refused: LaunchProblem[] = [];
    const r2 = new StderrReader((p) => refused.push(p));
    for (const line of launch('videotestsrc ! nosuchelement ! fakesink').stderr.split('\n')) r2.line(line);
    assert.deepEqual(refused.map((p) => [p.parse, p.message]), [[true, 'no element "nosuchelement"']]);
  });

  it('reads quoted and plain structure fields', () => {
    const fields = 'location=(string)"/a\\ b/c\\"d.ts", running-time=(guint64)1996000000, sink=(GstElement)"\\(GstFileSink\\)\\ sink"';
    assert.equal(structureField(fields, 'running-time'), '1996000000');
    assert.equal(structureField(fields, 'location'), '/a b/c"d.ts');
    assert.equal(structureField(fields, 'missing'), undefined);
  });
});
