/**
 * The detector: its manifest and model load with onnxruntime, how long one inference takes on this
 * box (measured, median of several runs on a neutral input) against what the configured cameras
 * would ask of it at one region per frame, and from that measurement how many cameras it carries
 * in busy scenes (detector-capacity.ts).
 */
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import type { AgentConfig } from '../../config/schema/index.js';
import { INSTALL_ROOT } from '../../core/version.js';
import { toErrorInfo } from '../../core/errors.js';
import { pixelBox } from '../../detection/coords.js';
import { loadManifest, type LoadedManifest } from '../../detection/detector/manifest.js';
import { modelFeeds } from '../../detection/detector/model-feeds.js';
import { detectorSessionOptions } from '../../detection/detector/session-options.js';
import { inputFeed } from '../../detection/detector/worker-protocol.js';
import { fail, pass, warn, type CheckGroup } from '../check-runner.js';
import type { DetectorCapacity } from '../report-schema.js';
import { capacityOutcome, detectorCapacity } from './detector-capacity.js';

const RUNS = 5;

/** A mid-grey I420 frame of the model's size, fed as the detector feeds a whole frame: plausible and deterministic. */
function neutralFeeds(m: LoadedManifest): Record<string, ort.Tensor> {
  const { width, height } = m.input;
  const grey = { width, height, data: new Uint8Array(width * height + 2 * ((width + 1) >> 1) * ((height + 1) >> 1)).fill(128) };
  return modelFeeds(grey, pixelBox(0, 0, width, height), inputFeed(m), m.input);
}

export function detectorChecks(config: AgentConfig, opts: { manifestPath?: string; onCapacity?: (c: DetectorCapacity) => void } = {}): CheckGroup {
  const manifestPath = opts.manifestPath ?? path.resolve(INSTALL_ROOT, config.detection.model);
  return {
    group: 'detector',
    timeoutMs: 60000,
    timeoutRemedy: 'the model takes too long to load or run: the box is overloaded or the model is too large for it',
    steps: [
      { id: 'detector.model', title: 'model manifest and ONNX model load' },
      { id: 'detector.inference', title: 'inference time on this box' },
      { id: 'detector.capacity', title: 'cameras the detector carries in busy scenes' },
    ],
    async run(r) {
      if (!config.detection.enabled) return r.skipRest('detection.enabled is false');
      let manifest: LoadedManifest;
      let session: ort.InferenceSession;
      const t0 = performance.now();
      try {
        manifest = loadManifest(manifestPath);
        session = await ort.InferenceSession.create(manifest.modelPath, detectorSessionOptions(config.detection.threads)); // as the detector runs it
      } catch (err) {
        const e = toErrorInfo(err, 'MODEL_LOAD');
        r.report('detector.model', fail(e.code, e.message, e.remedy ?? 'run scripts/setup.sh (it converts and installs models/centernet.onnx with its manifest)'));
        return r.skipRest('not attempted: no model');
      }
      const inputNames = [manifest.input.name, ...(manifest.input.uvName ? [manifest.input.uvName] : [])];
      if (!inputNames.every((n) => session.inputNames.includes(n)) || !session.outputNames.includes(manifest.output.name)) {
        r.report('detector.model', fail(null, `model has inputs [${session.inputNames.join(', ')}] and outputs [${session.outputNames.join(', ')}]; the manifest names ${inputNames.join(' + ')} → ${manifest.output.name}`, 'fix input.name/output.name in the manifest, or run scripts/setup.sh to restore the bundled model'));
        await session.release();
        return r.skipRest('not attempted: manifest does not match the model');
      }
      r.report('detector.model', pass(Math.round(performance.now() - t0), `${path.basename(manifest.modelPath)} (${manifest.output.decoder}, ${manifest.input.width}x${manifest.input.height}, ${manifest.labels.length} labels${manifest.description ? `; ${manifest.description}` : ''})`, 'ms'));
      try {
        const feeds = neutralFeeds(manifest);
        await session.run(feeds); // warm-up: first run allocates
        const times: number[] = [];
        for (let i = 0; i < RUNS; i++) {
          const s = performance.now();
          await session.run(feeds);
          times.push(performance.now() - s);
        }
        times.sort((a, b) => a - b);
        const exact = times[Math.floor(times.length / 2)];
        const median = Math.round(exact);
        const fps = config.cameras.filter((c) => c.enabled && c.detect.enabled).reduce((sum, c) => sum + c.detect.fps, 0);
        const budget = fps > 0 ? 1000 / fps : Infinity;
        const detail = `median of ${RUNS}: ${median} ms with ${config.detection.threads} thread(s)${fps ? `; cameras ask up to ${fps} frames/s (${Math.round(budget)} ms each at one region per frame)` : ''}`;
        if (median > budget) r.report('detector.inference', warn(median, detail, 'the detector cannot keep up at one region per frame: lower detect.fps, use fewer cameras, raise detection.threads on idle cores, or use a smaller model', 'ms'));
        else r.report('detector.inference', pass(median, detail, 'ms'));
        const capacity = detectorCapacity(config, manifest, Math.max(0.1, Math.round(exact * 10) / 10)); // 0.1 ms resolution, never 0
        opts.onCapacity?.(capacity);
        r.report('detector.capacity', capacityOutcome(capacity));
      } catch (err) {
        r.report('detector.inference', fail(null, `inference failed: ${(err as Error).message}`, 'the model does not run with the manifest\'s input: check input width/height/layout in the manifest'));
        r.skipRest('not attempted: no inference time measured');
      } finally {
        await session.release();
      }
    },
  };
}
