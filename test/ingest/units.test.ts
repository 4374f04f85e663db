import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { tempDir } from '../support/tmp.js';
import { backoffDelay } from '../../agent/core/backoff.js';
import { classifyGstError, classifyParseError } from '../../agent/ingest/gst-errors.js';
import { buildPlan, fpsFraction, splitUrlCredentials } from '../../agent/ingest/pipeline-plan.js';
import { loadTemplate, renderTemplate } from '../../agent/ingest/pipeline-templates.js';
import { finalSegmentName, parseSegmentName, recoverPartialSegments } from '../../agent/ingest/segment-files.js';
import { cameraConfig } from './helpers.js';

describe('ingest building blocks', () => {
  it('back-off doubles from initialMs, is capped at maxMs and jittered', () => {
    const mid = () => 0.5;
    assert.deepEqual([0, 1, 2, 3, 10].map((a) => backoffDelay(a, 1000, 5000, mid)), [1000, 2000, 4000, 5000, 5000]);
    assert.equal(backoffDelay(0, 1000, 30000, () => 0), 750);
    assert.equal(backoffDelay(0, 1000, 30000, () => 1), 1250);
    assert.equal(backoffDelay(20, 1000, 30000, () => 1), 30000);
  });

  it('fps becomes a GStreamer fraction', () => {
    assert.equal(fpsFraction(5), '5/1');
    assert.equal(fpsFraction(2.5), '5/2');
    assert.equal(fpsFraction(0.5), '1/2');
  });

  it('segment names carry wall-clock start and end', () => {
    assert.equal(finalSegmentName(1700000000000, 1700000010000.4), '1700000000000_1700000010000.ts');
    assert.deepEqual(parseSegmentName('1700000000000_1700000010000.ts'), { startTs: 1700000000000, endTs: 1700000010000 });
    assert.equal(parseSegmentName('.partial-1-00001.ts'), undefined);
  });

  it('every pipeline template renders without a leftover placeholder', () => {
    for (const name of ['rtsp.software', 'rtsp.v4l2', 'rtsp.nvv4l2', 'file.software', 'file.v4l2', 'file.nvv4l2', 'test.raw', 'v4l2.raw']) {
      const text = renderTemplate(loadTemplate(name), {
        url: '"rtsp://h/x"', protocols: 'tcp', tcpTimeoutUs: 1, decodeQueue: 'queue', decoderThreads: 0, frames: 'appsink name=frames',
        record: '', recordRaw: '', path: '"/f"', parser: 'h264parse', realtime: true, pattern: 'ball', device: '/dev/video0', width: 64, height: 64, fps: '5/1',
      });
      assert.ok(!/\{\{|#/.test(text), `${name}: ${text}`);
      assert.match(text, /appsink name=frames/);
    }
    assert.throws(() => renderTemplate('a {{missing}}', {}), /missing/);
  });

  it('credentials never appear in the pipeline text', async () => {
    assert.deepEqual(splitUrlCredentials('rtsp://bob:s%40cret@10.0.0.2:554/live'), { url: 'rtsp://10.0.0.2:554/live', username: 'bob', password: 's@cret' });
    // Written in by hand, not encoded: the password runs to the last '@' and may hold '/', '@' and ':'.
    assert.deepEqual(splitUrlCredentials('rtsp://bob:S3cr/et@pw:42@10.0.0.2:554/live'), { url: 'rtsp://10.0.0.2:554/live', username: 'bob', password: 'S3cr/et@pw:42' });
    assert.deepEqual(splitUrlCredentials('rtsp://bob:100%@10.0.0.2/live'), { url: 'rtsp://10.0.0.2/live', username: 'bob', password: '100%' });
    const { camera, recording } = cameraConfig({ id: 'c1', source: { kind: 'rtsp', url: 'rtsp://admin:hunter2@10.0.0.9/s', password: 'better' } });
    const plan = await buildPlan({ camera, recording, dataDir: '/tmp/x' });
    assert.ok(!plan.pipeline.includes('hunter2') && !plan.pipeline.includes('better') && !plan.pipeline.includes('admin'));
    assert.deepEqual(plan.secretProps, [{ element: 'src', props: { 'user-id': 'admin', 'user-pw': 'better' } }]);
    assert.match(plan.pipeline, /location="rtsp:\/\/10\.0\.0\.9\/s" protocols=tcp/);
    assert.match(plan.pipeline, /splitmuxsink .*location="\/tmp\/x\/recordings\/c1\/\.partial-\d+-%05d\.ts" max-size-time=10000000000/);
  });

  it('an explicit hardware decoder this box lacks is GST_ELEMENT_MISSING', async () => {
    const { camera, recording } = cameraConfig({ id: 'c1', decoder: 'nvv4l2', source: { kind: 'rtsp', url: 'rtsp://10.0.0.9/s' } });
    await assert.rejects(buildPlan({ camera, recording, dataDir: '/tmp/x' }), (err: { code?: string }) => err.code === 'GST_ELEMENT_MISSING');
  });

  it('GStreamer errors map to codes a technician can act on', () => {
    assert.equal(classifyGstError({ type: 'error', message: 'Unauthorized', _src_element_name: 'src' }).code, 'CAMERA_AUTH_FAILED');
    assert.equal(classifyGstError({ type: 'error', message: 'Could not open resource for reading and writing.', _src_element_name: 'src' }).code, 'CAMERA_UNREACHABLE');
    assert.equal(classifyGstError({ type: 'error', message: 'Not found', debug: 'Not Found (404)', _src_element_name: 'src' }).code, 'CAMERA_SOURCE_NOT_FOUND');
    assert.equal(classifyGstError({ type: 'error', message: 'Could not determine type of stream.', _src_element_name: 'typefind' }).code, 'CAMERA_STREAM_CORRUPT');
    assert.equal(classifyParseError(new Error('no element "nvv4l2decoder"')).code, 'GST_ELEMENT_MISSING');
  });

  it('segments left open by a killed camera process are kept, named by their file times', async () => {
    const { dir, cleanup } = tempDir('ingest-partials-');
    try {
      const partial = path.join(dir, '.partial-1700000000000-00003.ts');
      const res = spawnSync('gst-launch-1.0', ['-q', 'videotestsrc', 'num-buffers=20', '!', 'x264enc', '!', 'mpegtsmux', '!', 'filesink', `location=${partial}`], { encoding: 'utf8', timeout: 60000 });
      assert.equal(res.status, 0, res.stderr);
      writeFileSync(path.join(dir, '.partial-1700000000000-00004.ts'), '');
      const segs = await recoverPartialSegments('cam', dir, 10);
      assert.equal(segs.length, 1);
      assert.ok(existsSync(segs[0].path));
      assert.deepEqual(parseSegmentName(path.basename(segs[0].path)), { startTs: segs[0].startTs, endTs: segs[0].endTs });
      assert.ok(segs[0].endTs > segs[0].startTs && segs[0].bytes > 1000);
      assert.deepEqual(readdirSync(dir), [path.basename(segs[0].path)], 'the empty partial is removed');
    } finally {
      cleanup();
    }
  });
});
