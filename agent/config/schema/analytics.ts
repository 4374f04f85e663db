/**
 * Config of the roadside analytics (issue 13, docs/analytics.md): counting lines on a camera,
 * measured distances and a loitering time on a zone, and the analytics section. Cross-field rules
 * (distinct line ends, unique line names, distances need a 4-corner zone) are in config/validate.ts.
 */
import { Type, type Static } from '@sinclair/typebox';
import { Identifier, Point } from './common.js';

export const Line = Type.Object(
  {
    name: Identifier,
    from: Point,
    to: Point,
    labels: Type.Optional(Type.Array(Type.String(), { description: 'only these labels are counted on the line' })),
  },
  { additionalProperties: false, description: 'a counting line from `from` to `to` (0..1 of the frame); `ab` = crossing from its left to its right as seen on screen' },
);
export type Line = Static<typeof Line>;

/** Spread into cameras[]. */
export const CameraAnalyticsFields = {
  lines: Type.Array(Line, { default: [], description: 'counting lines: crossings by direction, counted per interval (analytics.countIntervalSeconds)' }),
};

/** Spread into cameras[].zones[]. */
export const ZoneAnalyticsFields = {
  distances: Type.Optional(
    Type.Array(Type.Number({ exclusiveMinimum: 0 }), {
      minItems: 4,
      maxItems: 4,
      description: 'metres: the real lengths of the sides polygon[0]->[1], [1]->[2], [2]->[3], [3]->[0] of a 4-corner zone drawn as a rectangle on the road; enables speedKmh',
    }),
  ),
  loiterSeconds: Type.Optional(Type.Number({ exclusiveMinimum: 0, description: 'an object staying longer than this in the zone is reported once as loitering' })),
};

export const AnalyticsSection = Type.Object(
  {
    countIntervalSeconds: Type.Integer({ minimum: 1, maximum: 3600, default: 60, description: 'line counts are sent per interval of this length on the capture clock' }),
    lineHysteresis: Type.Number({
      minimum: 0,
      maximum: 0.1,
      default: 0.01,
      description: 'a ground point must be this far (fraction of the frame diagonal) past a line to be on its other side: jitter on the line does not count',
    }),
  },
  // Live: a camera's analytics are rebuilt with its detection loop when the config changes.
  { additionalProperties: false, default: {}, 'x-apply': 'live' },
);
export type AnalyticsSection = Static<typeof AnalyticsSection>;
