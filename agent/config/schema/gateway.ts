import { Type } from '@sinclair/typebox';
import { Identifier } from './common.js';

export const GatewaySection = Type.Object(
  {
    id: Type.Optional(Type.String({ ...Identifier, description: 'gateway id; when absent, derived from the hardware serial or machine id' })),
    dataDir: Type.String({ default: '/var/lib/edge-agent', description: 'outbox, recordings, keys and last-good config live here' }),
    name: Type.Optional(Type.String({ description: 'human-readable site name' })),
  },
  // id and dataDir are refused by a desired config (CONFIG_NOT_APPLICABLE): the box is reflashed.
  { additionalProperties: false, default: {}, 'x-apply': 'restart' },
);

export const LoggingSection = Type.Object(
  {
    level: Type.Union([Type.Literal('trace'), Type.Literal('debug'), Type.Literal('info'), Type.Literal('warn'), Type.Literal('error')], { default: 'info', description: 'EDGE_LOG_LEVEL, when set, wins' }),
  },
  { additionalProperties: false, default: {}, 'x-apply': 'live' },
);

export const HealthSection = Type.Object(
  {
    intervalSeconds: Type.Integer({ minimum: 1, maximum: 86400, default: 60, description: 'publish health this often' }),
    cron: Type.Optional(Type.String({ description: 'cron expression; replaces intervalSeconds when set', 'x-cron': true })),
  },
  { additionalProperties: false, default: {}, 'x-apply': 'live' },
);
