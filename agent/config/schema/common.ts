import { Type, type Static } from '@sinclair/typebox';

/**
 * A secret is given inline, or (preferred on a box) by the name of an environment variable or a
 * file holding it, so credentials need not sit in the config file. Resolved by config/secrets.ts.
 */
export const SecretRef = Type.Union(
  [
    Type.String({ minLength: 1, description: 'the secret itself' }),
    Type.Object({ env: Type.String({ minLength: 1, description: 'environment variable holding the secret' }) }, { additionalProperties: false }),
    Type.Object({ file: Type.String({ minLength: 1, description: 'file holding the secret (trailing newline ignored)' }) }, { additionalProperties: false }),
  ],
  { description: 'a secret: a string, {"env": NAME} or {"file": PATH}' },
);
export type SecretRef = Static<typeof SecretRef>;

/** A point in frame coordinates normalised to 0..1 (resolution independent). */
export const Point = Type.Tuple([Type.Number({ minimum: 0, maximum: 1 }), Type.Number({ minimum: 0, maximum: 1 })]);
export const Polygon = Type.Array(Point, { minItems: 3, description: 'polygon of [x, y] points, 0..1 of the frame' });
export type Polygon = Static<typeof Polygon>;

export const Identifier = Type.String({ pattern: '^[A-Za-z0-9_-]{1,64}$', description: 'letters, digits, _ and -; at most 64' });

/** A five- or six-field cron expression; checked semantically by node-cron in config/validate.ts. */
export const CronExpression = Type.String({ minLength: 9, description: 'cron expression (node-cron syntax)', 'x-cron': true });
