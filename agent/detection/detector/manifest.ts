import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import Ajv from 'ajv';
import { Type, type Static } from '@sinclair/typebox';
import { AgentError } from '../../core/errors.js';

const Triple = Type.Tuple([Type.Number(), Type.Number(), Type.Number()]);

/**
 * A model manifest sits beside the model file and says how to feed it and how to read its output,
 * so a user can drop in their own ONNX detector without code changes.
 */
export const ModelManifestSchema = Type.Object(
  {
    file: Type.String({ minLength: 1, description: 'ONNX file, relative to the manifest' }),
    description: Type.Optional(Type.String()),
    licence: Type.Optional(Type.String({ description: 'licence and source of the weights' })),
    input: Type.Object(
      {
        name: Type.String({ minLength: 1, description: 'the float input; with format i420 the luma input' }),
        format: Type.Union([Type.Literal('float'), Type.Literal('i420')], {
          default: 'float',
          description: 'float: the agent crops, resizes and normalises into a float tensor; i420: the model takes the region\'s uint8 I420 planes of any even size and does that in its graph',
        }),
        uvName: Type.Optional(Type.String({ minLength: 1, description: 'format i420: the chroma input, U then V [1,2,h/2,w/2]' })),
        sizeName: Type.Optional(Type.String({
          minLength: 1,
          description: 'format i420: the input (int64 [2]: height, width) the planes are resized to; with it the model also takes a window of the frame at the whole frame\'s scale and costs in proportion to its area (docs/detector.md, "Windows")',
        })),
        stride: Type.Optional(Type.Integer({ minimum: 1, maximum: 256, description: 'with sizeName: a window\'s model size is a multiple of this (the network\'s output stride)' })),
        width: Type.Integer({ minimum: 8, maximum: 4096 }),
        height: Type.Integer({ minimum: 8, maximum: 4096 }),
        layout: Type.Union([Type.Literal('NHWC'), Type.Literal('NCHW')]),
        channels: Type.Union([Type.Literal('RGB'), Type.Literal('BGR')], { default: 'RGB' }),
        scale: Type.Number({ default: 1, description: 'pixel (0-255) is multiplied by this first' }),
        mean: Type.Optional(Triple),
        std: Type.Optional(Triple),
      },
      { additionalProperties: false },
    ),
    output: Type.Object(
      {
        name: Type.String({ minLength: 1 }),
        decoder: Type.Union([Type.Literal('centernet'), Type.Literal('centernet-heads'), Type.Literal('yolov5'), Type.Literal('yolov8')]),
        boxUnits: Type.Union([Type.Literal('pixels'), Type.Literal('normalized')], { default: 'pixels', description: 'YOLO box coordinates: input pixels or 0..1' }),
        minScore: Type.Number({ minimum: 0, maximum: 1, default: 0.25, description: 'detections below are discarded while decoding' }),
        nmsIou: Type.Number({ minimum: 0, maximum: 1, default: 0.45, description: 'class-aware NMS overlap' }),
        maxDetections: Type.Integer({ minimum: 1, default: 100 }),
        cellMax: Type.Boolean({ default: false, description: 'centernet-heads: the output\'s last channel is each cell\'s best class score, so the decoder reads only cells with a candidate' }),
      },
      { additionalProperties: false },
    ),
    labels: Type.Array(Type.String({ minLength: 1 }), { minItems: 1, description: 'class index → label' }),
  },
  { additionalProperties: false },
);

export type ModelManifest = Static<typeof ModelManifestSchema>;

/** A validated manifest with the model path resolved and normalisation filled in. */
export interface LoadedManifest extends ModelManifest {
  manifestPath: string;
  modelPath: string;
  input: ModelManifest['input'] & { mean: [number, number, number]; std: [number, number, number] };
}

const ajv = new Ajv({ allErrors: true, useDefaults: true, strict: false });
const validate = ajv.compile<ModelManifest>(ModelManifestSchema);

/** Validates a parsed manifest; throws MODEL_MANIFEST_INVALID listing every problem by JSON path. */
export function parseManifest(raw: unknown, manifestPath: string): LoadedManifest {
  const data = structuredClone(raw);
  if (!validate(data)) {
    const problems = (validate.errors ?? []).map((e) => {
      const at = e.instancePath || '/';
      const extra = e.keyword === 'additionalProperties' ? ` "${String(e.params.additionalProperty)}"` : '';
      return `${at}: ${e.message ?? e.keyword}${extra}`;
    });
    throw new AgentError('MODEL_MANIFEST_INVALID', `model manifest ${manifestPath} is invalid: ${problems.join('; ')}`,
      'fix the manifest (see docs/detector.md, "Model manifest")');
  }
  const m = data;
  if (m.input.std?.some((s) => s === 0)) {
    throw new AgentError('MODEL_MANIFEST_INVALID', `model manifest ${manifestPath} is invalid: /input/std: must not contain 0`, 'use 1 for no scaling');
  }
  if (m.input.format === 'i420' && !m.input.uvName) {
    throw new AgentError('MODEL_MANIFEST_INVALID', `model manifest ${manifestPath} is invalid: /input/uvName: required when format is i420`, 'name the model\'s chroma input');
  }
  if (m.input.sizeName && (m.input.format !== 'i420' || !m.input.stride)) {
    throw new AgentError('MODEL_MANIFEST_INVALID', `model manifest ${manifestPath} is invalid: /input/sizeName: needs format i420 and a stride`, 'give the network\'s stride (32 for CenterNet), or drop sizeName');
  }
  return {
    ...m,
    manifestPath,
    modelPath: resolve(dirname(manifestPath), m.file),
    input: { ...m.input, mean: m.input.mean ?? [0, 0, 0], std: m.input.std ?? [1, 1, 1] },
  };
}

/** Reads and validates a manifest file and checks that its model file exists. */
export function loadManifest(manifestPath: string): LoadedManifest {
  const path = resolve(manifestPath);
  if (!existsSync(path)) {
    throw new AgentError('MODEL_MANIFEST_NOT_FOUND', `model manifest ${path} does not exist`,
      'set detection.model to a manifest path, or run scripts/setup.sh to create models/centernet.onnx');
  }
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new AgentError('MODEL_MANIFEST_INVALID', `model manifest ${path} is not valid JSON: ${(err as Error).message}`, 'fix the JSON syntax', { cause: err });
  }
  const manifest = parseManifest(raw, path);
  if (!existsSync(manifest.modelPath)) {
    throw new AgentError('MODEL_FILE_NOT_FOUND', `model file ${manifest.modelPath} (from ${path}) does not exist`,
      'run scripts/setup.sh (it converts the bundled CenterNet) or fix "file" in the manifest');
  }
  return manifest;
}
