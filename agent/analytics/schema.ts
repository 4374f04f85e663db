/**
 * Config pieces of the roadside analytics (issue 13), kept here until they are merged into THE
 * schema (agent/config/schema/): spread `CameraAnalyticsFields` into `Camera`, `ZoneAnalyticsFields`
 * into `Zone`, add `analytics: AnalyticsSection` to the root, and call `analyticsProblems` from
 * config/validate.ts's semantic checks. `AnalyticsConfigFragment` is the slice of the config they
 * make, so the rules can be validated and tested before that merge.
 */
import { Type, type Static } from '@sinclair/typebox';
import { Identifier, Point, Polygon } from '../config/schema/common.js';
import type { ConfigProblem } from '../config/validate.js';

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

/** Added to cameras[]. */
export const CameraAnalyticsFields = {
  lines: Type.Array(Line, { default: [], description: 'counting lines: crossings by direction, counted per interval (analytics.countIntervalSeconds)' }),
};

/** Added to cameras[].zones[]. */
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

const FragmentZone = Type.Object(
  { name: Identifier, polygon: Polygon, labels: Type.Optional(Type.Array(Type.String())), ...ZoneAnalyticsFields },
  { additionalProperties: false },
);

/** The slice of the config the analytics read: cameras' lines and zones, and the analytics section. */
export const AnalyticsConfigFragment = Type.Object(
  {
    cameras: Type.Array(
      Type.Object({ id: Identifier, zones: Type.Array(FragmentZone, { default: [] }), ...CameraAnalyticsFields }, { additionalProperties: false }),
      { default: [] },
    ),
    analytics: AnalyticsSection,
  },
  { additionalProperties: false },
);
export type AnalyticsConfig = Static<typeof AnalyticsConfigFragment>;

/** What analyticsProblems needs of a camera (a full CameraConfig fits once merged). */
export interface CameraAnalyticsShape {
  lines: readonly Line[];
  zones: readonly { polygon: readonly (readonly number[])[]; distances?: readonly number[] }[];
}

/** Rules the schema cannot say, by JSON path: a line needs two distinct ends, distances a 4-corner zone, names are unique. */
export function analyticsProblems(cameras: readonly CameraAnalyticsShape[]): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  cameras.forEach((cam, c) => {
    const names = new Set<string>();
    cam.lines.forEach((line, l) => {
      const path = `cameras[${c}].lines[${l}]`;
      if (line.from[0] === line.to[0] && line.from[1] === line.to[1]) problems.push({ path: `${path}.to`, reason: 'must differ from `from` (a line needs two distinct ends)' });
      if (names.has(line.name)) problems.push({ path: `${path}.name`, reason: `duplicate line name "${line.name}"` });
      names.add(line.name);
    });
    cam.zones.forEach((zone, z) => {
      if (zone.distances && zone.polygon.length !== 4) {
        problems.push({ path: `cameras[${c}].zones[${z}].polygon`, reason: `must have exactly 4 corners when distances are given (has ${zone.polygon.length})` });
      }
    });
  });
  return problems;
}
