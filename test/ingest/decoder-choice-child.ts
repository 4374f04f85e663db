/**
 * Builds the plan of an RTSP camera with `decoder: auto` in a fresh process (the element answers are
 * cached per process, so the parent test's earlier probes would hide the questions) and prints it.
 */
import { buildPlan } from '../../agent/ingest/pipeline-plan.js';
import { cameraConfig } from './helpers.js';

const { camera, recording } = cameraConfig({ id: 'street', decoder: 'auto', source: { kind: 'rtsp', url: 'rtsp://127.0.0.1:1/s' } });
buildPlan({ camera, recording, dataDir: '/tmp/unused' }).then((plan) => {
  process.stdout.write(JSON.stringify({ decoder: plan.decoder, pipeline: plan.pipeline }));
});
