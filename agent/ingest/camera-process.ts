/**
 * One camera's GStreamer pipeline, run in its own process (forked by CameraSupervisor).
 *
 * Why a process: every pending appsink.pull()/pollBus() of gstreamer-superficial holds a libuv pool
 * thread (pollBus blocks until a message comes, forever once the pipeline stops), and a crash in
 * native code would take the whole agent down. Here it takes down one camera, which is respawned.
 *
 * It sends decoded detect-size I420 frames to the agent only while it holds credit (the agent acks
 * each frame), otherwise drops and counts them; closed recording segments are renamed here.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { loadGstreamer, SEEK_FLUSH, SEEK_SEGMENT, type GstAppSink, type GstBusMessage, type GstPipeline } from './gst-binding.js';
import { classifyGstError, classifyParseError } from './gst-errors.js';
import type { FromCamera, ToCamera } from './ipc.js';
import type { CameraPlan } from './pipeline-plan.js';
import type { CameraError } from './error-codes.js';
import { closeSegment } from './segment-files.js';
import { quoteGst } from './pipeline-templates.js';
import { dieWithParent, endProcess } from './process-end.js';

const STOP_GRACE_MS = 3000;

let pipeline: GstPipeline | undefined;
let plan: CameraPlan | undefined;
let credit = 0;
let decoded = 0;
let droppedNoCredit = 0;
let stopping = false;
let seekedForLoop = false;
let announcedPlaying = false;
const segmentStarts = new Map<string, number>();
/** Wall-clock ms at pipeline running time 0, fixed at the first segment so segments stay contiguous. */
let wallAtRunningZero: number | undefined;
let pendingRenames = 0;

function send(msg: FromCamera): void {
  if (process.connected) process.send?.(msg);
}

function fail(code: CameraError['code'], message: string): void {
  send({ type: 'error', code, message });
  exitSoon(true);
}

/** `failed`: a failure while already stopping changes nothing. */
function exitSoon(failed = false): void {
  if (stopping && failed) return;
  stopping = true;
  // Let the last IPC messages flush (100 ms); pending native pulls must not keep the process alive.
  endProcess(() => pipeline?.stop(), 100);
}

/**
 * The first video caps name parsebin finds in a file (video/x-h264, ...), via a throwaway pipeline;
 * an error (not a video file, unknown container) comes back as a camera error instead.
 */
function probeCodec(file: string): Promise<{ codec?: string; error?: CameraError }> {
  const gst = loadGstreamer();
  const probe = new gst.Pipeline(`filesrc location=${quoteGst(file)} ! parsebin ! appsink name=probe caps="video/x-h264;video/x-h265;video/mpeg;video/x-raw" sync=false max-buffers=1`);
  const sink = probe.findChild('probe') as GstAppSink;
  return new Promise((resolve) => {
    let settled = false;
    const done = (result: { codec?: string; error?: CameraError }): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      probe.stop();
      resolve(result);
    };
    const timer = setTimeout(() => done({ error: { code: 'CAMERA_STREAM_CORRUPT', message: 'no video stream found within 10 s' } }), 10000);
    // This bus poll keeps one pool thread after the probe stops; the process has spare ones for it.
    probe.pollBus((msg) => {
      if (msg.type === 'error') {
        const e = classifyGstError(msg);
        done({ error: { code: e.code === 'CAMERA_PIPELINE_FAILED' ? 'CAMERA_STREAM_CORRUPT' : e.code, message: e.message } });
      }
    });
    probe.play();
    sink.pull((buf, caps) => done(buf && typeof caps.name === 'string' ? { codec: caps.name } : { error: { code: 'CAMERA_STREAM_CORRUPT', message: 'no video stream in the file' } }));
  });
}

async function start(p: CameraPlan, window: number): Promise<void> {
  plan = p;
  credit = window;
  const gst = loadGstreamer();
  send({ type: 'loaded' });
  let description = p.pipeline;
  if (p.probeFile) {
    if (!existsSync(p.probeFile)) return fail('CAMERA_SOURCE_NOT_FOUND', `video file ${p.probeFile} does not exist`);
    const { codec, error } = await probeCodec(p.probeFile);
    if (!codec) return fail(error?.code ?? 'CAMERA_STREAM_CORRUPT', error?.message ?? `no video stream found in ${p.probeFile}`);
    const parser = p.parsers?.[codec];
    if (!parser) return fail('CAMERA_CODEC_UNSUPPORTED', `${codec} in ${p.probeFile} is not supported by the ${p.decoder} decoder`);
    description = description.replace('{{parser}}', parser);
  }
  try {
    pipeline = new gst.Pipeline(description);
  } catch (err) {
    const e = classifyParseError(err);
    fail(e.code, e.message);
    return;
  }
  for (const { element, props } of p.secretProps) {
    const el = pipeline.findChild(element);
    if (el) Object.assign(el, props);
  }
  if (p.recordDir) mkdirSync(p.recordDir, { recursive: true });
  const sink = pipeline.findChild('frames') as GstAppSink | undefined;
  if (!sink) {
    fail('CAMERA_PIPELINE_FAILED', 'pipeline template has no appsink named frames');
    return;
  }
  pipeline.pollBus(onBus);
  pipeline.play();
  const onSample = (buf: Buffer | null): void => {
    if (stopping) return;
    if (!buf) {
      // EOS or flushing: the bus says which; ask again later rather than spin.
      setTimeout(() => sink.pull(onSample), 200);
      return;
    }
    decoded++;
    if (credit > 0) {
      credit--;
      send({ type: 'frame', ts: Date.now(), width: p.width, height: p.height, data: buf });
    } else {
      droppedNoCredit++;
    }
    sink.pull(onSample);
  };
  sink.pull(onSample);
  setInterval(reportCounters, 1000).unref();
}

function reportCounters(): void {
  const rate = pipeline?.findChild('rate');
  const out = Number(rate?.out ?? 0);
  // Frames videorate let through but we never pulled were dropped by the full appsink (max-buffers).
  const droppedInPipeline = Math.max(0, out - decoded - 2);
  send({ type: 'counters', decoded, droppedInPipeline, droppedNoCredit });
}

function onBus(msg: GstBusMessage): void {
  const p = plan;
  if (!p || !pipeline) return;
  switch (msg.type) {
    case 'error': {
      if (stopping) return;
      const e = classifyGstError(msg);
      fail(e.code, e.message);
      return;
    }
    case 'eos':
      if (stopping) {
        finishStop();
      } else if (p.live) {
        fail('CAMERA_STREAM_ENDED', 'the camera ended the stream');
      } else if (p.loop) {
        // Segment seeks should loop without EOS; if a demuxer ignored them, restart from scratch.
        fail('CAMERA_STREAM_ENDED', 'file reached its end; restarting the loop');
      } else {
        send({ type: 'ended' });
        exitSoon();
      }
      return;
    case 'async-done':
      if (p.loop && !seekedForLoop) {
        // A segment seek makes the demuxer post segment-done instead of EOS at the end, and the
        // non-flushing re-seek then loops without a gap while running time keeps rising (the
        // recording stays one continuous stream). clocksync would block a PAUSED preroll, so this
        // happens once playing.
        seekedForLoop = true;
        pipeline.seek(0, SEEK_FLUSH | SEEK_SEGMENT);
      }
      return;
    case 'segment-done':
      pipeline.seek(0, SEEK_SEGMENT);
      return;
    case 'state-changed':
      if (!announcedPlaying && msg._src_element_name?.startsWith('pipeline') && msg['new-state'] !== undefined && /playing|4/i.test(String(msg['new-state']))) {
        announcedPlaying = true;
        send({ type: 'playing' });
      }
      return;
    case 'element':
      onElementMessage(msg);
      return;
    case 'warning':
      send({ type: 'log', level: 'warn', message: `${msg.message ?? 'warning'} (${msg._src_element_name ?? '?'})` });
      return;
    default:
  }
}

function onElementMessage(msg: GstBusMessage): void {
  const p = plan;
  const location = typeof msg.location === 'string' ? msg.location : undefined;
  if (!p || !location) return;
  // Segment times come from the pipeline's running time (exact, contiguous); the arrival time of the
  // first message only anchors them to the wall clock.
  const runningMs = Number(msg['running-time'] ?? NaN) / 1e6;
  const wallMs = Number.isFinite(runningMs) ? (wallAtRunningZero ??= Date.now() - runningMs) + runningMs : Date.now();
  if (msg.name === 'splitmuxsink-fragment-opened') {
    segmentStarts.set(location, wallMs);
  } else if (msg.name === 'splitmuxsink-fragment-closed') {
    const startMs = segmentStarts.get(location) ?? wallMs - 1000;
    segmentStarts.delete(location);
    nameSegment(p.cameraId, location, startMs, wallMs, () => {
      if (eosSeen) finishStop();
    });
  }
}

/** Gives a closed segment its final name and tells the agent, or tells it that it could not; then `next`. */
function nameSegment(cameraId: string, location: string, startMs: number, endMs: number, next: () => void): void {
  pendingRenames++;
  closeSegment(cameraId, location, startMs, Math.max(startMs + 1, endMs))
    .then((segment) => send({ type: 'segment', segment }))
    .catch((err: Error) => send({ type: 'segment-failed', file: location, message: err.message }))
    .finally(() => {
      pendingRenames--;
      next();
    });
}

let stopRequested = false;
let eosSeen = false;

function finishStop(): void {
  eosSeen = true;
  // After EOS every segment is complete on disk; one whose closed message did not come is named here.
  const wall = Date.now();
  for (const [location, startMs] of segmentStarts) {
    segmentStarts.delete(location);
    nameSegment(plan?.cameraId ?? '', location, startMs, wall, finishStop);
  }
  if (pendingRenames > 0) return;
  exitSoon();
}

function stop(): void {
  if (stopRequested) return;
  stopRequested = true;
  stopping = true;
  if (!pipeline || !plan?.recordDir) {
    exitSoon();
    return;
  }
  // EOS lets splitmuxsink close the open segment properly before we exit.
  pipeline.sendEOS();
  setTimeout(() => {
    if (!eosSeen) exitSoon();
  }, STOP_GRACE_MS).unref();
}

process.on('message', (raw: ToCamera) => {
  if (raw.type === 'start') start(raw.plan, raw.window).catch((err: Error) => fail('CAMERA_PIPELINE_FAILED', err.message));
  else if (raw.type === 'ack') credit++;
  else if (raw.type === 'stop') stop();
});
// The agent is gone: nobody will read our frames, and we must not linger as an orphan. The open
// recording segment stays a partial file; the next start recovers it (recoverPartialSegments).
dieWithParent(() => {
  stopping = true;
  pipeline?.stop();
});
