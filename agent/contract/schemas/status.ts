import { Type, type Static } from '@sinclair/typebox';
import { ConfigReportSchema } from './provisioning.js';
import { IsoTime, Strict } from './common.js';

const Version = Type.String({ description: 'agent version' });

/** What provisioning says about the running configuration (no secrets). */
export const ProvisioningStatusSchema = Type.Object(
  {
    version: Type.Integer({ minimum: 0, description: 'desired-config version running (0: the config file)' }),
    configHash: Type.String({ description: 'hash of the running configuration, secrets redacted' }),
    lastReport: Type.Optional(ConfigReportSchema),
    trustedKeys: Type.Integer({ minimum: 0, description: 'fleet keys in the trust store' }),
    trustError: Type.Optional(Type.String({ description: 'code when the trust store is unusable' })),
  },
  Strict,
);
export type ProvisioningStatus = Static<typeof ProvisioningStatusSchema>;

/** The runtime's part of the online status, read at every connect. */
export const StatusDetailsProperties = {
  gatewayId: Type.String(),
  publicKey: Type.String({ description: "the gateway's Ed25519 public key (PEM): receivers verify files with it, operators encrypt secrets to it" }),
  cameras: Type.Array(Type.String(), { description: 'configured camera ids' }),
  config: Type.Optional(ProvisioningStatusSchema),
};
const StatusDetails = Type.Object({ version: Version, ...StatusDetailsProperties }, Strict);
export type StatusDetails = Static<typeof StatusDetails>;

export const OnlineStatusSchema = Type.Object(
  { state: Type.Literal('online'), version: Version, ts: IsoTime('when the connection was made'), ...StatusDetailsProperties },
  { ...Strict, title: 'online (every connect)' },
);
/** The MQTT will: the broker publishes it when the connection dies without a DISCONNECT. */
export const WillStatusSchema = Type.Object(
  { state: Type.Literal('offline'), version: Version, reason: Type.Literal('connection lost') },
  { ...Strict, title: 'offline (will)' },
);
/** Published by the gateway itself before a clean disconnect. */
export const StoppedStatusSchema = Type.Object(
  { state: Type.Literal('offline'), version: Version, ts: IsoTime('when it stopped'), reason: Type.Literal('stopped') },
  { ...Strict, title: 'offline (clean stop)' },
);
export const StatusMessageSchema = Type.Union([OnlineStatusSchema, WillStatusSchema, StoppedStatusSchema], { title: 'status' });
export type StatusMessage = Static<typeof StatusMessageSchema>;
export type OnlineStatus = Static<typeof OnlineStatusSchema>;
export type WillStatus = Static<typeof WillStatusSchema>;
export type StoppedStatus = Static<typeof StoppedStatusSchema>;
