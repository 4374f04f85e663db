import { Type, type Static } from '@sinclair/typebox';
import { ErrorInfo, IsoTime, Strict } from './common.js';

const B64Url = (description: string) => Type.String({ pattern: '^[A-Za-z0-9_-]*$', description });

/**
 * Signed messages (desired configs, mutating commands): a JWS in the flattened JSON serialization
 * (RFC 7515 §7.2.2), alg EdDSA, whose protected header `typ` says what the claims are.
 */
export const FlattenedJwsSchema = Type.Object(
  {
    protected: B64Url('base64url of the header {"alg":"EdDSA","typ":"edge-desired-config" | "edge-command","kid":…}'),
    payload: B64Url('base64url of the JSON claims'),
    signature: B64Url('base64url Ed25519 signature over `protected.payload`'),
  },
  { title: 'signed message (JWS)' },
);
export type FlattenedJws = Static<typeof FlattenedJwsSchema>;

/** The claims of the retained `config/desired` JWS (typ edge-desired-config). */
export const DesiredConfigClaimsSchema = Type.Object(
  {
    gateway: Type.String({ description: 'the gateway it is addressed to (others refuse it)' }),
    version: Type.Integer({ description: 'must be higher than the last version the gateway handled' }),
    issuedAt: IsoTime('when it was signed; not in the future beyond provisioning.maxClockSkewSeconds'),
    expiresAt: Type.Optional(IsoTime('refused after this time')),
    config: Type.Unknown({ description: 'the configuration (docs/config.md); secrets may be encrypted to the gateway key' }),
  },
  { title: 'config/desired claims' },
);
export type DesiredConfigClaims = Static<typeof DesiredConfigClaimsSchema>;

export const ReportStatusSchema = Type.Union([Type.Literal('applied'), Type.Literal('rejected'), Type.Literal('rolled_back')], {
  description: 'applied and kept; rejected before touching anything; rolled_back: applied, not healthy in time, previous config restored',
});
export type ReportStatus = Static<typeof ReportStatusSchema>;

/** Retained on `config/reported`: the outcome of the latest desired config. */
export const ConfigReportSchema = Type.Object(
  {
    version: Type.Union([Type.Integer(), Type.Null()], { description: 'the desired version this is about (null when the message was unreadable or not authentic)' }),
    status: ReportStatusSchema,
    error: Type.Optional(ErrorInfo),
    configHash: Type.String({ description: 'hash of the configuration now running (secrets redacted), whatever the outcome' }),
    runningVersion: Type.Integer({ minimum: 0, description: 'version now running (0: the config file the agent started on)' }),
    ts: IsoTime('when the report was made'),
  },
  { ...Strict, title: 'config/reported' },
);
export type ConfigReport = Static<typeof ConfigReportSchema>;

const CommandArgs = Type.Record(Type.String(), Type.Unknown(), { description: "the command's arguments (docs/provisioning.md)" });

/** A read-only command may come as plain JSON; one that changes anything must be a JWS of SignedCommandClaims. */
export const PlainRequestSchema = Type.Object(
  { id: Type.String({ description: 'echoed in the answer' }), args: Type.Optional(CommandArgs) },
  { title: 'request/<name> (plain)' },
);
export type PlainRequest = Static<typeof PlainRequestSchema>;

/** The claims of a signed request (typ edge-command): command and gateway are inside the signature. */
export const SignedCommandClaimsSchema = Type.Object(
  {
    id: Type.String({ description: 'echoed in the answer' }),
    gateway: Type.String({ description: 'the gateway it is signed for' }),
    command: Type.String({ description: 'must equal the <name> of the topic it is sent to' }),
    args: Type.Optional(CommandArgs),
    ts: Type.Number({ description: 'ms since the epoch when signed; within provisioning.maxClockSkewSeconds' }),
    nonce: Type.String({ minLength: 8, maxLength: 200, description: 'random, unique per command: a replay is refused' }),
  },
  { title: 'request/<name> claims (signed)' },
);
export type SignedCommandClaims = Static<typeof SignedCommandClaimsSchema>;

export const CommandResponseSchema = Type.Object(
  {
    id: Type.Union([Type.String(), Type.Null()], { description: "the request's id (null when it could not be read)" }),
    status: Type.Union([Type.Literal('ok'), Type.Literal('error')]),
    data: Type.Optional(Type.Record(Type.String(), Type.Unknown(), { description: 'the answer (ok)' })),
    error: Type.Optional(ErrorInfo),
  },
  { ...Strict, title: 'response/<name>' },
);
export type CommandResponse = Static<typeof CommandResponseSchema>;
