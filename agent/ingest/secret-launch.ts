/**
 * `gst-launch-1.0 -m -e` for a pipeline that holds credentials: the description arrives on stdin
 * (one JSON line: the text and the secret element properties), never on the command line, where any
 * local user would read it (`ps`, /proc/<pid>/cmdline). gst-launch-1.0 takes its pipeline only from
 * argv, so cameras with a password run this Node child instead (gstreamer-superficial, one per camera,
 * the cost of a V8 each), speaking gst-launch's output so the supervisor reads both the same way:
 * frames through the description's own `gdppay ! fdsink fd=3`, the bus messages the supervisor acts
 * on on stdout, error blocks on stderr; SIGINT sends an EOS.
 */
import { createInterface } from 'node:readline';
import { loadGstreamer, type GstBusMessage, type GstPipeline } from './gst-binding.js';
import { dieWithParent, endProcess } from './process-end.js';

export interface SecretLaunchRequest {
  pipeline: string;
  secretProps: Array<{ element: string; props: Record<string, string> }>;
}

let pipeline: GstPipeline | undefined;
let counter = 0;

/** A string field as GstStructure prints one (quoted, with `"` and `\` escaped). */
function structureString(value: string): string {
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

function onBus(msg: GstBusMessage): void {
  counter++;
  const element = String(msg._src_element_name ?? '');
  if (msg.type === 'error' || msg.type === 'warning') {
    const label = msg.type === 'error' ? 'ERROR' : 'WARNING';
    process.stderr.write(`${label}: from element ${msg.name ?? `/${element}`}: ${msg.message ?? 'GStreamer error'}\nAdditional debug info:\n${msg.debug ?? ''}\n`);
    if (msg.type === 'error') endProcess(() => pipeline?.stop(), 100);
  } else if (msg.type === 'eos') {
    process.stdout.write(`Got EOS from element "pipeline0".\n`);
    endProcess(() => pipeline?.stop(), 100);
  } else if (msg.type === 'element' && typeof msg.location === 'string' && /^splitmuxsink-fragment-(opened|closed)$/.test(String(msg.name))) {
    process.stdout.write(`Got message #${counter} from element "${element}" (element): ${String(msg.name)}, location=(string)${structureString(msg.location)}, running-time=(guint64)${String(msg['running-time'] ?? 0)};\n`);
  }
}

function run(req: SecretLaunchRequest): void {
  try {
    pipeline = new (loadGstreamer().Pipeline)(req.pipeline);
  } catch (err) {
    process.stderr.write(`WARNING: erroneous pipeline: ${err instanceof Error ? err.message : String(err)}\n`);
    endProcess(() => undefined, 100);
    return;
  }
  for (const { element, props } of req.secretProps) {
    const el = pipeline.findChild(element);
    if (el) Object.assign(el, props);
  }
  pipeline.pollBus(onBus);
  pipeline.play();
}

process.on('SIGINT', () => {
  // What gst-launch -e does: an EOS closes the open recording segment; its EOS message ends us.
  if (pipeline) pipeline.sendEOS();
  else endProcess(() => undefined);
});
createInterface({ input: process.stdin }).once('line', (line) => run(JSON.parse(line) as SecretLaunchRequest));
dieWithParent(() => pipeline?.stop());
