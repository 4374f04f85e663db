import { Type, type Static } from '@sinclair/typebox';

/** PEM text inline, or a path (relative paths resolve from the bootstrap file's folder). */
const PemOrPath = Type.String({ minLength: 1, description: 'PEM text ("-----BEGIN ...") or a path to a PEM file' });

/**
 * The file a gateway is flashed with: just enough to reach the broker and trust the fleet. Everything
 * else arrives as a signed desired config. `mqtt` takes the same keys as the config's `mqtt` section
 * (checked by THE schema), except that tls.ca/cert/key may also be PEM text.
 */
export const BootstrapSchema = Type.Object(
  {
    gatewayId: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9_-]{1,64}$', description: 'defaults to the id derived from the board serial or machine id' })),
    name: Type.Optional(Type.String({ description: 'human-readable site name' })),
    dataDir: Type.Optional(Type.String({ minLength: 1, description: 'defaults to /var/lib/edge-agent' })),
    mqtt: Type.Object(
      {
        url: Type.String({ minLength: 1 }),
        tls: Type.Optional(
          Type.Object(
            { ca: Type.Optional(PemOrPath), cert: Type.Optional(PemOrPath), key: Type.Optional(PemOrPath), rejectUnauthorized: Type.Optional(Type.Boolean()) },
            { additionalProperties: false },
          ),
        ),
      },
      { additionalProperties: true, description: 'as the config\'s mqtt section' },
    ),
    trustedKeys: Type.Array(PemOrPath, { minItems: 1, description: 'fleet operator Ed25519 public keys' }),
  },
  { additionalProperties: false },
);
export type Bootstrap = Static<typeof BootstrapSchema>;
