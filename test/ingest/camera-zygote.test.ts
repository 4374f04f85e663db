import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { AgentChild } from '../../agent/core/child-spawn.js';
import { launchCamera, type LaunchedCamera } from '../../agent/ingest/camera-launch.js';
import { CameraZygote, cameraSideRole, removeStaleSocketDirs, ZYGOTE_BINARY } from '../../agent/ingest/camera-zygote.js';
import { launchArgv } from '../../agent/ingest/pipeline-templates.js';
import type { LaunchMessage, LaunchProblem } from '../../agent/ingest/launch-output.js';
import pino from 'pino';
import { tempDir, VIDEOS_DIR } from '../support/tmp.js';
import { waitFor } from '../support/wait.js';

/** One camera launched the agent's way, with what it said. */
interface Run {
  launched: LaunchedCamera;
  frames: number;
  messages: LaunchMessage[];
  problems: LaunchProblem[];
}

function launch(zygote: CameraZygote | undefined, cameraId: string, dataDir: string, description: string): Run {
  const heard: Omit<Run, 'launched'> = { frames: 0, messages: [], problems: [] };
  const launched = launchCamera(cameraId, dataDir, description, [], {
    frame: () => heard.frames++,
    message: (m) => heard.messages.push(m),
    problem: (p) => heard.problems.push(p),
    broken: (reason) => heard.problems.push({ level: 'error', element: '', message: reason, debug: '', parse: false }),
  }, zygote);
  return Object.assign(heard, { launched });
}

/** The live process that runs `cameraId` as a fork of the zygote (`edge-camera <id>`). */
function forkedCamera(zygotePid: number | undefined, cameraId: string): number | undefined {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const [state, ppid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (state === 'Z' || Number(ppid) !== zygotePid) continue;
      const role = cameraSideRole(readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0'), undefined);
      if (role?.role === 'camera' && role.cameraId === cameraId) return Number(entry);
    } catch {
      // ended meanwhile
    }
  }
  return undefined;
}

const alive = (pid: number): boolean => {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
  } catch {
    return false;
  }
};

/** Dirty pages of one library's mappings in a process (kB): written once, then private or shared copy-on-write. */
function dirtyKb(pid: number, library: RegExp): { privateKb: number; sharedKb: number } {
  let mapping = '';
  const out = { privateKb: 0, sharedKb: 0 };
  for (const line of readFileSync(`/proc/${pid}/smaps`, 'utf8').split('\n')) {
    const head = /^[0-9a-f]+-[0-9a-f]+ \S+ \S+ \S+ \S+\s*(.*)$/.exec(line);
    if (head) mapping = head[1];
    else if (library.test(mapping)) {
      const m = /^(Private|Shared)_Dirty:\s+(\d+)/.exec(line);
      if (m) out[m[1] === 'Private' ? 'privateKb' : 'sharedKb'] += Number(m[2]);
    }
  }
  return out;
}

const CLIP = path.join(VIDEOS_DIR, 'ozlu_vehicle_survaillance.mp4');
/** A paced H.264 file camera decoded by libav, as the file-camera template does. */
const DECODING = `filesrc location="${CLIP}" ! qtdemux ! h264parse ! clocksync sync=true ! avdec_h264 ! videoconvert ! videoscale ! video/x-raw,format=I420,width=320,height=180 ! gdppay ! fdsink fd=3 sync=false`;
const LIVE_TEST = 'videotestsrc is-live=true ! video/x-raw,format=I420,width=160,height=120,framerate=10/1 ! gdppay ! fdsink fd=3 sync=false';

describe('camera ingest: cameras forked from the camera zygote (real GStreamer)', function () {
  this.timeout(120000);
  const tmp = tempDir('camera-zygote-');
  const dataDir = path.join(tmp.dir, 'data');
  const logs: Array<Record<string, unknown>> = [];
  const log = pino({ level: 'info' }, { write: (line: string) => void logs.push(JSON.parse(line) as Record<string, unknown>) });
  const zygotes: CameraZygote[] = [];
  const children: AgentChild[] = [];
  const newZygote = (plugins?: readonly string[]): CameraZygote => {
    const z = new CameraZygote(dataDir, log, ZYGOTE_BINARY, plugins);
    zygotes.push(z);
    return z;
  };
  const track = (run: Run): Run => {
    children.push(run.launched.child);
    return run;
  };

  before(function () {
    if (!existsSync(ZYGOTE_BINARY)) throw new Error(`${ZYGOTE_BINARY} is not built: run scripts/setup.sh`);
  });
  afterEach(async () => {
    logs.length = 0;
    for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    for (const z of zygotes.splice(0)) await z.stop();
  });
  after(() => tmp.cleanup());

  it('shares the decoder libraries\' relocated pages between cameras, which a gst-launch-1.0 camera writes for itself', async () => {
    const zygote = newZygote();
    const a = track(launch(zygote, 'a', dataDir, DECODING));
    const b = track(launch(zygote, 'b', dataDir, DECODING));
    const plain = track(launch(undefined, 'plain', dataDir, DECODING));
    await waitFor(() => a.frames > 5 && b.frames > 5 && plain.frames > 5, { what: `frames from all three: ${JSON.stringify([a.problems, b.problems, plain.problems])}` });
    const forked = forkedCamera(zygote.pid, 'a');
    assert.ok(forked, 'camera a runs as a fork of the zygote');
    const inFork = dirtyKb(forked, /libavcodec\.so/);
    const inPlain = dirtyKb(plain.launched.child.pid ?? 0, /libavcodec\.so/);
    // libavcodec's relocations: written once in the zygote, shared by its cameras; written again by every gst-launch.
    assert.ok(inPlain.privateKb >= 200, `gst-launch's own copy: ${JSON.stringify(inPlain)}`);
    assert.ok(inFork.sharedKb >= inPlain.privateKb * 0.8, `the fork shares them: ${JSON.stringify({ inFork, inPlain })}`);
    assert.ok(inFork.privateKb <= inPlain.privateKb * 0.2, `and holds few of its own: ${JSON.stringify({ inFork, inPlain })}`);
  });

  it('speaks gst-launch -m -e: segments opened and closed, and an interrupt ends in an EOS with exit code 0', async () => {
    const zygote = newZygote();
    const dir = path.join(tmp.dir, 'segments with "quotes", commas');
    mkdirSync(dir, { recursive: true });
    const run = track(launch(zygote, 'rec', dataDir, `videotestsrc is-live=true ! video/x-raw,framerate=10/1 ! x264enc key-int-max=5 tune=zerolatency ! h264parse ! splitmuxsink name=rec muxer=mpegtsmux max-size-time=500000000 location="${dir.replace(/"/g, '\\"')}/seg%02d.ts"`));
    await waitFor(() => run.messages.filter((m) => m.kind === 'fragment-closed').length >= 2, { what: `two segments closed: ${JSON.stringify(run.problems)}` });
    run.launched.child.kill('SIGINT');
    const end = await run.launched.closed;
    assert.deepEqual(end, { code: 0, signal: null });
    const opened = run.messages.filter((m) => m.kind === 'fragment-opened');
    const closed = run.messages.filter((m) => m.kind === 'fragment-closed');
    assert.equal(closed.length, opened.length, 'the EOS closed the open segment');
    assert.equal(opened[0]?.kind === 'fragment-opened' && opened[0].location, `${dir}/seg00.ts`);
    assert.equal(run.messages.filter((m) => m.kind === 'eos').length, 1);
    assert.deepEqual(run.problems, []);
  });

  it('reports a refused description and a failing element as gst-launch does', async () => {
    const zygote = newZygote();
    const refused = track(launch(zygote, 'refused', dataDir, 'videotestsrc ! fakesink no-such-property=1'));
    const failing = track(launch(zygote, 'failing', dataDir, `filesrc location="${path.join(tmp.dir, 'missing.mp4')}" ! fakesink`));
    assert.deepEqual(await refused.launched.closed, { code: 1, signal: null });
    assert.equal(refused.problems[0]?.parse, true);
    assert.match(refused.problems[0]?.message ?? '', /no property "no-such-property"/);
    assert.deepEqual(await failing.launched.closed, { code: 255, signal: null });
    assert.equal(failing.problems[0]?.element, '/GstPipeline:pipeline0/GstFileSrc:filesrc0');
    assert.match(failing.problems[0]?.message ?? '', /Resource not found/);
  });

  it('a camera that crashes ends its launcher with the same signal; a killed launcher takes its camera along', async () => {
    const zygote = newZygote();
    const crashing = track(launch(zygote, 'crashing', dataDir, LIVE_TEST));
    const orphaned = track(launch(zygote, 'orphaned', dataDir, LIVE_TEST));
    await waitFor(() => crashing.frames > 0 && orphaned.frames > 0, { what: 'both streaming' });
    const victim = forkedCamera(zygote.pid, 'crashing');
    assert.ok(victim);
    process.kill(victim, 'SIGSEGV');
    assert.deepEqual(await crashing.launched.closed, { code: null, signal: 'SIGSEGV' });

    const camera = forkedCamera(zygote.pid, 'orphaned');
    assert.ok(camera);
    orphaned.launched.child.kill('SIGKILL');
    await orphaned.launched.closed;
    await waitFor(() => !alive(camera), { what: 'the camera of the killed launcher gone' });
    assert.ok(zygote.pid, 'the zygote lives on');
  });

  it('a zygote that dies takes its cameras with it, and the next launch starts a new one', async () => {
    const zygote = newZygote();
    const first = track(launch(zygote, 'first', dataDir, LIVE_TEST));
    await waitFor(() => first.frames > 0, { what: 'streaming' });
    const oldZygote = zygote.pid;
    const camera = forkedCamera(oldZygote, 'first');
    assert.ok(oldZygote && camera);
    process.kill(oldZygote, 'SIGKILL');
    const end = await first.launched.closed;
    assert.notDeepEqual(end, { code: 0, signal: null }, 'the launcher reports the loss');
    await waitFor(() => !alive(camera), { what: 'the camera gone with its zygote' });
    const second = track(launch(zygote, 'second', dataDir, LIVE_TEST));
    await waitFor(() => second.frames > 0, { what: 'streaming from a new zygote' });
    assert.notEqual(zygote.pid, oldZygote);
    assert.ok(forkedCamera(zygote.pid, 'second'));
  });

  it('another local user cannot start a pipeline through the zygote', async () => {
    const zygote = newZygote();
    const run = track(launch(zygote, 'ours', dataDir, LIVE_TEST));
    await waitFor(() => run.frames > 0, { what: 'the zygote running' });
    // The agent's own launch command for a pipeline, run as nobody.
    const { command, args } = zygote.launcher(launchArgv('videotestsrc num-buffers=1 ! fakesink'));
    const asAgent = command === ZYGOTE_BINARY ? ['--', command, ...args] : args;
    const stranger = spawn('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', ...asAgent], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    stranger.stderr.on('data', (d: Buffer) => (stderr += String(d)));
    const code = await new Promise<number | null>((resolve) => stranger.once('exit', resolve));
    assert.equal(code, 1, stderr);
    assert.match(stderr, /cannot reach the camera zygote/);
    assert.equal(forkedCamera(zygote.pid, ''), undefined, 'nothing was forked for it');
  });

  it('removes the socket folders of killed agents at start, and keeps those of live ones', () => {
    const dirs = path.join(tmp.dir, 'tmp');
    const folder = (name: string, agentPid: number): string => {
      const dir = path.join(dirs, `edge-zygote-${name}`);
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      writeFileSync(path.join(dir, 'agent.pid'), String(agentPid));
      writeFileSync(path.join(dir, 'cameras.sock'), '');
      return dir;
    };
    const gonePid = spawnSync('true').pid ?? 0; // ended and reaped
    const stale = folder('killed', gonePid);
    const live = folder('live', process.ppid);
    const unrelated = path.join(dirs, 'other-folder');
    mkdirSync(unrelated);
    removeStaleSocketDirs(dirs);
    assert.equal(existsSync(stale), false, 'the killed agent\'s folder is removed');
    assert.equal(existsSync(live), true, 'a live agent\'s folder stays');
    assert.equal(existsSync(unrelated), true);
  });

  it('a zygote whose plugins leave a main context open is refused, and the cameras fall back to gst-launch-1.0', async () => {
    // video4linux2's start-up opens a GLib main context: a camera forked with it would hang.
    const zygote = newZygote(['coreelements', 'video4linux2']);
    const first = track(launch(zygote, 'first', dataDir, LIVE_TEST));
    const end = await first.launched.closed;
    assert.equal(end.code, 1, JSON.stringify(first.problems));
    assert.equal(zygote.usable, false);
    const warning = await waitFor(() => logs.find((l) => l.code === 'CAMERA_ZYGOTE_FAILED'), { what: 'the zygote\'s failure logged' });
    assert.match(String(warning.msg), /failed before it listened/, JSON.stringify(warning));
    assert.match(String(warning.stderr), /refusing to fork cameras/, 'the log says why, in the zygote\'s words');
    const second = track(launch(zygote, 'second', dataDir, LIVE_TEST));
    await waitFor(() => second.frames > 0, { what: 'streaming as gst-launch-1.0' });
    assert.ok(readFileSync(`/proc/${second.launched.child.pid}/cmdline`, 'utf8').includes('gst-launch-1.0'));
  });
});
