import { Type, type Static } from '@sinclair/typebox';
import { CameraAnalyticsFields, ZoneAnalyticsFields } from './analytics.js';
import { Identifier, Polygon, SecretRef } from './common.js';

const RtspSource = Type.Object(
  {
    kind: Type.Literal('rtsp'),
    url: Type.String({ pattern: '^rtsps?://', description: 'rtsp://host:port/path; credentials belong in username/password' }),
    username: Type.Optional(Type.String()),
    password: Type.Optional(SecretRef),
    transport: Type.Union([Type.Literal('tcp'), Type.Literal('udp'), Type.Literal('auto')], { default: 'tcp' }),
  },
  { additionalProperties: false },
);
const FileSource = Type.Object(
  {
    kind: Type.Literal('file'),
    path: Type.String({ minLength: 1, description: 'video file; relative paths are resolved from the config file' }),
    loop: Type.Boolean({ default: false }),
    realtime: Type.Boolean({ default: true, description: 'play at the file\'s own speed, like a live camera' }),
  },
  { additionalProperties: false },
);
const TestSource = Type.Object(
  {
    kind: Type.Literal('test'),
    pattern: Type.String({ default: 'ball', description: 'videotestsrc pattern' }),
  },
  { additionalProperties: false },
);
const OnvifSource = Type.Object(
  {
    kind: Type.Literal('onvif'),
    host: Type.String({ minLength: 1 }),
    port: Type.Integer({ minimum: 1, maximum: 65535, default: 80 }),
    username: Type.Optional(Type.String()),
    password: Type.Optional(SecretRef),
    profile: Type.Optional(Type.String({ description: 'ONVIF profile token; defaults to the first profile' })),
  },
  { additionalProperties: false },
);
const V4l2Source = Type.Object(
  {
    kind: Type.Literal('v4l2'),
    device: Type.String({ default: '/dev/video0' }),
  },
  { additionalProperties: false },
);
const CameraSourceUnion = Type.Union([RtspSource, FileSource, TestSource, OnvifSource, V4l2Source]);
/** oneOf with a discriminator, so a bad source reports only the errors of its own kind. */
export const CameraSource = Type.Unsafe<Static<typeof CameraSourceUnion>>({
  type: 'object',
  required: ['kind'],
  discriminator: { propertyName: 'kind' },
  oneOf: CameraSourceUnion.anyOf,
  description: 'where the video comes from: rtsp, file, test, onvif or v4l2',
});
export type CameraSource = Static<typeof CameraSource>;

export const Zone = Type.Object(
  {
    name: Identifier,
    polygon: Polygon,
    labels: Type.Optional(Type.Array(Type.String(), { description: 'only these labels count in the zone' })),
    ...ZoneAnalyticsFields,
  },
  { additionalProperties: false },
);

export const ObjectFilter = Type.Object(
  {
    minScore: Type.Optional(Type.Number({ minimum: 0, maximum: 1, description: 'a detection below this is ignored' })),
    threshold: Type.Optional(Type.Number({ minimum: 0, maximum: 1, description: 'median of recent scores a track needs to be reported' })),
    minArea: Type.Optional(Type.Number({ minimum: 0, maximum: 1, description: 'box area as a fraction of the frame' })),
    maxArea: Type.Optional(Type.Number({ minimum: 0, maximum: 1 })),
  },
  { additionalProperties: false },
);

export const Camera = Type.Object(
  {
    id: Identifier,
    name: Type.Optional(Type.String()),
    enabled: Type.Boolean({ default: true }),
    source: CameraSource,
    decoder: Type.Union([Type.Literal('auto'), Type.Literal('software'), Type.Literal('v4l2'), Type.Literal('nvv4l2')], {
      default: 'auto',
      description: 'auto picks a hardware decoder the box has (Jetson nvv4l2decoder, Pi v4l2h264dec), else software',
    }),
    detect: Type.Object(
      {
        enabled: Type.Boolean({ default: true }),
        width: Type.Integer({ minimum: 64, maximum: 3840, default: 640 }),
        height: Type.Integer({ minimum: 64, maximum: 2160, default: 360 }),
        fps: Type.Number({ exclusiveMinimum: 0, maximum: 60, default: 5 }),
        schedule: Type.Optional(
          Type.Object(
            {
              from: Type.String({ pattern: '^([01]\\d|2[0-3]):[0-5]\\d$', description: 'HH:MM local time' }),
              to: Type.String({ pattern: '^([01]\\d|2[0-3]):[0-5]\\d$', description: 'HH:MM local time; may wrap past midnight' }),
            },
            { additionalProperties: false, description: 'detect only in this daily window, e.g. 22:00-06:00' },
          ),
        ),
      },
      { additionalProperties: false, default: {} },
    ),
    stallTimeoutSeconds: Type.Number({ minimum: 1, default: 10, description: 'no frame for this long means the camera is stalled and is reconnected' }),
    backoff: Type.Object(
      {
        initialMs: Type.Integer({ minimum: 10, default: 1000 }),
        maxMs: Type.Integer({ minimum: 100, default: 30000 }),
      },
      { additionalProperties: false, default: {} },
    ),
    record: Type.Object(
      { enabled: Type.Boolean({ default: true, description: 'keep the encoded stream in segments for clips' }) },
      { additionalProperties: false, default: {} },
    ),
    motionMasks: Type.Array(Polygon, { default: [], description: 'areas where motion is ignored (trees, timestamps)' }),
    objectMasks: Type.Array(Polygon, { default: [], description: 'objects whose box bottom-centre falls here are ignored' }),
    zones: Type.Array(Zone, { default: [], description: 'named areas; an event lists the zones its object entered (box bottom-centre inside the polygon)' }),
    objects: Type.Object(
      {
        track: Type.Optional(Type.Array(Type.String(), { description: 'labels to track; defaults to detection.labels' })),
        filters: Type.Record(Type.String(), ObjectFilter, { default: {} }),
      },
      { additionalProperties: false, default: {}, description: 'which labels this camera tracks and their filters (over detection.labels/filters)' },
    ),
    ...CameraAnalyticsFields,
  },
  { additionalProperties: false },
);
export type Camera = Static<typeof Camera>;
