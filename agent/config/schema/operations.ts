import { Type } from '@sinclair/typebox';
import { CronExpression, SecretRef } from './common.js';

export const ProvisioningSection = Type.Object(
  {
    trustedKeys: Type.Array(Type.String(), { default: [], description: 'fleet operator Ed25519 public keys (PEM): files, or folders of *.pub/*.pem (keep them root-owned, e.g. /etc/edge-agent/trusted-keys, never in the writable dataDir); may sign configs and every command' }),
    readerKeys: Type.Array(Type.String(), { default: [], description: 'read-only Ed25519 public keys (PEM files or folders): may sign snapshot, clip, diag and config/get, nothing that changes the gateway' }),
    applyTimeoutSeconds: Type.Number({ minimum: 1, default: 60, description: 'a new config must be healthy within this, or it is rolled back' }),
    maxMessageBytes: Type.Integer({ minimum: 1024, default: 262144 }),
    maxClockSkewSeconds: Type.Integer({ minimum: 1, default: 300, description: 'signed commands older or newer than this are refused' }),
  },
  { additionalProperties: false, default: {}, 'x-apply': 'live' },
);

export const StatusPageSection = Type.Object(
  {
    enabled: Type.Boolean({ default: false }),
    host: Type.String({ default: '127.0.0.1', description: 'bind address; keep it off the public uplink' }),
    port: Type.Integer({ minimum: 0, maximum: 65535, default: 8080 }),
    password: Type.Optional(SecretRef),
  },
  { additionalProperties: false, default: {}, 'x-apply': 'live' },
);

export const SchedulesSection = Type.Object(
  {
    retention: CronExpression,
    compaction: CronExpression,
    selfTest: CronExpression,
  },
  { additionalProperties: false, default: { retention: '*/5 * * * *', compaction: '17 3 * * *', selfTest: '0 4 * * *' }, 'x-apply': 'live' },
);
