/**
 * Memory floor for the ingest benchmark: runs the given gst-launch pipelines in ONE bare Node process
 * (gstreamer-superficial and nothing else: no MQTT, LevelDB, schema, IPC) and pulls their frames.
 * Its RSS is what N cameras cost at the very least on this stack, whatever the agent's design.
 *   node dist/scripts/bench/support/gst-floor.js '<json array of pipeline descriptions>'
 * Prints the frames pulled so far, one JSON line per second.
 */
import { loadGstreamer, type GstAppSink } from '../../../agent/ingest/gst-binding.js';

const descriptions = JSON.parse(process.argv[2] ?? '[]') as string[];
const gst = loadGstreamer();
const frames = descriptions.map(() => 0);
descriptions.forEach((description, i) => {
  const pipeline = new gst.Pipeline(description);
  const sink = pipeline.findChild('frames') as GstAppSink;
  pipeline.play();
  const pull = (): void =>
    sink.pull((buf) => {
      if (buf) frames[i]++;
      setImmediate(pull);
    });
  pull();
});
setInterval(() => process.stdout.write(`${JSON.stringify({ frames })}\n`), 1000);
