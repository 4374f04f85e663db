/**
 * The `edge-agent diag --json` document (and the MQTT `diag` command's answer): one JSON Schema,
 * written with TypeBox so the TypeScript types come from the same source. docs/diagnostics.md
 * documents it; tests validate real output against it with ajv.
 */
import { Type, type Static } from '@sinclair/typebox';

export const CheckStatusSchema = Type.Union([Type.Literal('pass'), Type.Literal('warn'), Type.Literal('fail'), Type.Literal('skip')], {
  description: 'pass: fine; warn: works but needs attention; fail: broken; skip: not applicable or not measurable here (the detail says why)',
});
export type CheckStatus = Static<typeof CheckStatusSchema>;

const common = {
  id: Type.String({ pattern: '^[a-z0-9]+(\\.[A-Za-z0-9_-]+)+$', description: 'stable id, e.g. uplink.mqtt or camera.cam1.decode' }),
  group: Type.String({ minLength: 1, description: 'system, clock, uplink, camera.<id>, gstreamer, detector, storage' }),
  title: Type.String({ minLength: 1, description: 'what was checked, in words' }),
  value: Type.Union([Type.Number(), Type.String(), Type.Boolean(), Type.Null()], { description: 'the measured value (null when nothing could be measured)' }),
  unit: Type.Optional(Type.String({ description: 'unit of a numeric value: ms, %, B, fps, °C, s, days' })),
  detail: Type.Optional(Type.String({ description: 'what was seen, for the technician' })),
  durationMs: Type.Number({ minimum: 0 }),
};

const PassOrSkip = Type.Object(
  { ...common, status: Type.Union([Type.Literal('pass'), Type.Literal('skip')]), remedy: Type.Optional(Type.String()) },
  { additionalProperties: false },
);
const WarnOrFail = Type.Object(
  { ...common, status: Type.Union([Type.Literal('warn'), Type.Literal('fail')]), remedy: Type.String({ minLength: 1, description: 'what a technician can do about it' }) },
  { additionalProperties: false },
);
/** A warn or fail always carries a remedy. */
export const CheckResultSchema = Type.Union([PassOrSkip, WarnOrFail]);
export type CheckResult = Static<typeof CheckResultSchema>;

/** What the detector can carry on this box (docs/diagnostics.md, "Capacity"), from the detector.inference measurement. */
export const DetectorCapacitySchema = Type.Object(
  {
    model: Type.Object(
      {
        manifest: Type.String({ description: 'the manifest file (detection.model)' }),
        file: Type.String({ description: 'the ONNX file it names: the model variant' }),
        description: Type.Optional(Type.String({ description: 'the manifest\'s description' })),
        input: Type.String({ description: 'model input, WxH' }),
      },
      { additionalProperties: false },
    ),
    inferenceMs: Type.Number({ exclusiveMinimum: 0, description: 'median inference time measured on this box (detector.inference)' }),
    threads: Type.Integer({ minimum: 1, description: 'detection.threads used for it' }),
    formula: Type.String({ description: 'how camerasCarried is estimated' }),
    camerasCarried: Type.Integer({ minimum: 0, description: 'cameras like the most demanding configured one (or 640x360 at 5 fps without cameras) the detector carries in busy scenes' }),
    basis: Type.String({ description: 'which camera settings camerasCarried assumes' }),
    busyLoadPercent: Type.Number({ minimum: 0, description: 'share of the detector\'s time the configured cameras together need in busy scenes' }),
    cameras: Type.Array(
      Type.Object(
        {
          id: Type.String(),
          detectFps: Type.Number(),
          detectSize: Type.String({ description: 'detect frame, WxH' }),
          regionsPerFrameBusy: Type.Integer({ minimum: 1 }),
          camerasCarried: Type.Integer({ minimum: 0, description: 'cameras like this one the detector carries in busy scenes' }),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);
export type DetectorCapacity = Static<typeof DetectorCapacitySchema>;
/** A diag run's capacity estimate as the running agent keeps it (health, status page), with when it was measured. */
export type MeasuredCapacity = DetectorCapacity & { measuredAt: string };

export const DiagReportSchema = Type.Object(
  {
    schemaVersion: Type.Literal(1),
    agentVersion: Type.String(),
    gatewayId: Type.String(),
    hostname: Type.String(),
    configSource: Type.Optional(Type.String({ description: 'which configuration was diagnosed: the file, or the last-good config in dataDir' })),
    startedAt: Type.String({ format: 'date-time' }),
    durationMs: Type.Number({ minimum: 0 }),
    verdict: Type.Union([Type.Literal('pass'), Type.Literal('warn'), Type.Literal('fail')], { description: 'worst status of all checks (skip counts as pass)' }),
    summary: Type.String({ description: 'the one-line verdict' }),
    counts: Type.Object(
      { pass: Type.Integer({ minimum: 0 }), warn: Type.Integer({ minimum: 0 }), fail: Type.Integer({ minimum: 0 }), skip: Type.Integer({ minimum: 0 }) },
      { additionalProperties: false },
    ),
    checks: Type.Array(CheckResultSchema),
    capacity: Type.Optional(DetectorCapacitySchema),
  },
  { additionalProperties: false, $id: 'https://edge-agent.local/schema/diag-report.json', title: 'edge-agent diag report' },
);
export type DiagReport = Static<typeof DiagReportSchema>;
