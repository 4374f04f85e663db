/**
 * The diag decode probe's own process (forked by gst-decode-probe.ts): runs the camera's pipeline
 * with gstreamer-superficial and reports decoded frames twice a second. The pipeline and the camera
 * credentials arrive over IPC and the credentials are set as element properties after parsing, so
 * they never appear on any process's command line (`ps`, /proc/<pid>/cmdline). A process of its own,
 * like a camera's: the addon must not be loaded in the agent's process or a worker thread
 * (agent/ingest/gst-binding.ts), and a hung pull/bus poll ends with the process.
 */
import { loadGstreamer, type GstAppSink, type GstBusMessage, type GstPipeline } from '../ingest/gst-binding.js';
import { dieWithParent } from '../ingest/process-end.js';
import { DECODER_RE, type FromDecodeProbe, type ToDecodeProbe } from './decode-probe-ipc.js';

function send(msg: FromDecodeProbe): void {
  if (process.connected) process.send?.(msg);
}

let pipeline: GstPipeline | undefined;

function run(req: ToDecodeProbe): void {
  try {
    pipeline = new (loadGstreamer().Pipeline)(req.pipeline);
  } catch (err) {
    send({ type: 'error', message: `WARNING: erroneous pipeline: ${err instanceof Error ? err.message : String(err)}` });
    return;
  }
  for (const { element, props } of req.secretProps) {
    const el = pipeline.findChild(element);
    if (el) Object.assign(el, props);
  }
  const sink = pipeline.findChild('frames') as GstAppSink | undefined;
  if (!sink) {
    send({ type: 'error', message: 'the pipeline has no appsink named frames' });
    return;
  }
  let frames = 0;
  let decoder: string | undefined;
  pipeline.pollBus((m: GstBusMessage) => {
    decoder ??= DECODER_RE.exec(String(m._src_element_name ?? ''))?.[1];
    if (m.type === 'error') send({ type: 'error', message: `ERROR: from element ${m.name ?? String(m._src_element_name ?? '?')}: ${m.message ?? ''}${m.debug ? ` | ${m.debug}` : ''}` });
    else if (m.type === 'eos') send({ type: 'eos' });
  });
  pipeline.play();
  const onSample = (buf: Buffer | null): void => {
    if (!buf) {
      setTimeout(() => sink.pull(onSample), 200); // EOS or flushing: the bus says which
      return;
    }
    frames++;
    sink.pull(onSample);
  };
  sink.pull(onSample);
  setInterval(() => send({ type: 'progress', frames, decoder }), 500);
}

process.once('message', (req: ToDecodeProbe) => run(req));
// diag is gone (killed mid-probe): end as a camera process does, never lingering on the camera's
// stream (process.exit can hang behind a pending pull).
dieWithParent(() => pipeline?.stop());
