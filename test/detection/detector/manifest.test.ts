import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AgentError } from '../../../agent/core/errors.js';
import { DetectorService, loadManifest, parseManifest } from '../../../agent/detection/detector/index.js';
import { tempDir } from '../../support/tmp.js';
import { DEFAULT_MANIFEST_PATH, ensureModel, MANIFEST_PATH, MODEL_PATH, variantPath } from './model.js';

type Json = Record<string, unknown>;

function bundled(): Json & { input: Json; output: Json } {
  const m = JSON.parse(readFileSync(MANIFEST_PATH, 'utf8')) as Json & { input: Json; output: Json };
  m.file = MODEL_PATH; // absolute: the manifest is written to a temp folder
  return m;
}

async function rejectsWith(p: Promise<unknown> | (() => unknown), code: string, message?: RegExp): Promise<void> {
  await assert.rejects(async () => (typeof p === 'function' ? p() : p), (err: unknown) => {
    assert.ok(err instanceof AgentError, `not an AgentError: ${String(err)}`);
    assert.equal(err.code, code, err.message);
    if (message) assert.match(err.message, message);
    assert.ok(err.remedy, 'a remedy for the technician');
    return true;
  });
}

describe('detector: model manifest validation', function () {
  let tmp: { dir: string; cleanup: () => void };
  const write = (name: string, content: unknown): string => {
    const p = join(tmp.dir, name);
    writeFileSync(p, typeof content === 'string' ? content : JSON.stringify(content));
    return p;
  };

  before(async () => {
    await ensureModel();
    tmp = tempDir('detector-manifest-');
  });
  after(() => tmp.cleanup());

  it('the bundled manifest is valid and fills defaults', function () {
    const m = loadManifest(MANIFEST_PATH);
    assert.equal(m.modelPath, MODEL_PATH);
    assert.equal(m.labels.length, 80);
    for (const l of ['person', 'bicycle', 'motorcycle', 'car', 'bus', 'truck']) assert.ok(m.labels.includes(l), l);
    assert.deepEqual([m.labels[0], m.labels[2], m.labels[3], m.labels[5], m.labels[7]], ['person', 'car', 'motorcycle', 'bus', 'truck']);
    const minimal = parseManifest({ file: 'x.onnx', input: { name: 'images', width: 640, height: 640, layout: 'NCHW' }, output: { name: 'output0', decoder: 'yolov8' }, labels: ['a'] }, join(tmp.dir, 'm.json'));
    assert.equal(minimal.input.channels, 'RGB');
    assert.equal(minimal.input.scale, 1);
    assert.deepEqual(minimal.input.std, [1, 1, 1]);
    assert.equal(minimal.output.boxUnits, 'pixels');
    assert.equal(minimal.output.nmsIou, 0.45);
    assert.equal(minimal.modelPath, join(tmp.dir, 'x.onnx'));
  });

  it('MODEL_MANIFEST_NOT_FOUND for a missing manifest', async function () {
    await rejectsWith(() => loadManifest(join(tmp.dir, 'nope.json')), 'MODEL_MANIFEST_NOT_FOUND');
    await rejectsWith(DetectorService.load({ manifestPath: join(tmp.dir, 'nope.json'), threads: 1, queueSize: 2 }), 'MODEL_MANIFEST_NOT_FOUND');
  });

  it('MODEL_MANIFEST_INVALID names every problem by JSON path', async function () {
    await rejectsWith(() => loadManifest(write('syntax.json', '{"file": ')), 'MODEL_MANIFEST_INVALID', /not valid JSON/);
    const m = bundled();
    m.input.layout = 'HWC';
    m.labels = [];
    delete m.output.decoder;
    m.colour = 'blue';
    await rejectsWith(() => loadManifest(write('bad.json', m)), 'MODEL_MANIFEST_INVALID', /must have required property 'decoder'/);
    const err = (() => { try { loadManifest(write('bad.json', m)); } catch (e) { return e as AgentError; } return undefined; })();
    for (const where of ['/input/layout', '/output', '/labels', '"colour"']) assert.ok(err?.message.includes(where), `${where} in ${err?.message}`);
    const zeroStd = bundled();
    zeroStd.input.std = [1, 0, 1];
    await rejectsWith(() => loadManifest(write('std.json', zeroStd)), 'MODEL_MANIFEST_INVALID', /std/);
    const noChroma = bundled();
    noChroma.input.format = 'i420';
    await rejectsWith(() => loadManifest(write('i420.json', noChroma)), 'MODEL_MANIFEST_INVALID', /\/input\/uvName: required when format is i420/);
    const sizeWithoutStride = bundled();
    Object.assign(sizeWithoutStride.input, { format: 'i420', uvName: 'uv', sizeName: 'size' });
    await rejectsWith(() => loadManifest(write('size.json', sizeWithoutStride)), 'MODEL_MANIFEST_INVALID', /\/input\/sizeName: needs format i420 and a stride/);
  });

  it('MODEL_FILE_NOT_FOUND when the manifest points at a missing model', async function () {
    const m = bundled();
    m.file = 'missing.onnx';
    await rejectsWith(() => loadManifest(write('missing.json', m)), 'MODEL_FILE_NOT_FOUND', /missing\.onnx/);
  });

  it('MODEL_LOAD_FAILED when the file is not an ONNX model', async function () {
    const m = bundled();
    m.file = write('garbage.onnx', 'this is not protobuf');
    await rejectsWith(DetectorService.load({ manifestPath: write('garbage.json', m), threads: 1, queueSize: 2 }), 'MODEL_LOAD_FAILED');
  });

  it('MODEL_IO_MISMATCH when the manifest does not describe the model', async function () {
    const cases: [string, (m: ReturnType<typeof bundled>) => void, RegExp][] = [
      ['input name', (m) => { m.input.name = 'images'; }, /no input "images"/],
      ['input size', (m) => { m.input.width = 640; }, /\[1,512,512,3\].*\[1,512,640,3\]/],
      ['layout', (m) => { m.input.layout = 'NCHW'; }, /NCHW/],
      ['decoder', (m) => { m.output.decoder = 'yolov5'; }, /yolov5 output must be \[1,N,85\]/],
      ['output name', (m) => { m.output.name = 'output0'; }, /no output "output0"/],
    ];
    for (const [what, change, message] of cases) {
      const m = bundled();
      change(m);
      await rejectsWith(DetectorService.load({ manifestPath: write(`io-${what}.json`, m), threads: 1, queueSize: 2 }), 'MODEL_IO_MISMATCH', message);
    }
    // The default model takes I420 planes: a manifest naming another chroma input, or a float model called i420.
    const i420 = JSON.parse(readFileSync(DEFAULT_MANIFEST_PATH, 'utf8')) as Json & { input: Json };
    i420.file = variantPath('centernet-512x288-road');
    i420.input.uvName = 'chroma';
    await rejectsWith(DetectorService.load({ manifestPath: write('io-uv.json', i420), threads: 1, queueSize: 2 }), 'MODEL_IO_MISMATCH', /no input "chroma"/);
    // The default takes windows: its size input unnamed (it could not be fed), or misnamed.
    const noSize = JSON.parse(readFileSync(DEFAULT_MANIFEST_PATH, 'utf8')) as Json & { input: Json };
    noSize.file = variantPath('centernet-512x288-road');
    delete noSize.input.sizeName;
    await rejectsWith(DetectorService.load({ manifestPath: write('io-nosize.json', noSize), threads: 1, queueSize: 2 }), 'MODEL_IO_MISMATCH', /model input "size" is not in the manifest/);
    noSize.input.sizeName = 'extent';
    await rejectsWith(DetectorService.load({ manifestPath: write('io-size.json', noSize), threads: 1, queueSize: 2 }), 'MODEL_IO_MISMATCH', /model input "size" is not in the manifest/);
    const floatAsI420 = bundled();
    Object.assign(floatAsI420.input, { format: 'i420', uvName: 'tower_0/images' });
    await rejectsWith(DetectorService.load({ manifestPath: write('io-float.json', floatAsI420), threads: 1, queueSize: 2 }), 'MODEL_IO_MISMATCH', /format i420 needs \[1,1,h,w\]/);
  });
});
