/**
 * Every MQTT topic the gateway uses, in one place. Topics are relative to the gateway's root
 * `<mqtt.topicPrefix>/<gatewayId>` (the uplink refuses anything outside it); `under(root, t)` makes
 * one absolute for clients that are not the gateway (receiver, operator, tests).
 */

export const STATUS_TOPIC = 'status';
export const EVENTS_TOPIC = 'events';
export const HEALTH_TOPIC = 'health';
export const COUNTS_TOPIC = 'counts';
export const SELFTEST_TOPIC = 'selftest';
export const DESIRED_TOPIC = 'config/desired';
export const REPORTED_TOPIC = 'config/reported';
/** What the gateway subscribes to for commands. */
export const REQUEST_FILTER = 'request/#';

const REQUEST_PREFIX = 'request/';
const RESPONSE_PREFIX = 'response/';

export const clipMetaTopic = (clipId: string): string => `clips/${clipId}/meta`;
/** `index` may be `+` for a subscription filter. */
export const clipChunkTopic = (clipId: string, index: number | string): string => `clips/${clipId}/chunk/${index}`;
export const requestTopic = (command: string): string => `${REQUEST_PREFIX}${command}`;
/** The command name of a (relative) request topic. */
export const commandOfRequest = (topic: string): string => topic.slice(REQUEST_PREFIX.length);
export const responseTopic = (command: string): string => `${RESPONSE_PREFIX}${command}`;
/** The diag round-trip probe: the gateway publishes here and reads it back (nothing central listens). */
export const diagProbeTopic = (token: string): string => `diag/${token}`;

export const gatewayRoot = (prefix: string, gatewayId: string): string => `${prefix}/${gatewayId}`;
/** An absolute topic (or filter) below a gateway root. */
export const under = (root: string, relative: string): string => `${root}/${relative}`;

/**
 * Whether an absolute MQTT 5 response topic a requester named lies in this gateway's own response
 * namespace (the only place it answers: elsewhere a requester could make it forge other messages).
 */
export function isOwnResponseTopic(root: string, topic: string): boolean {
  return topic.startsWith(under(root, RESPONSE_PREFIX)) && !/[#+]/.test(topic);
}

/** Ids that become topic levels and file names (clipId, gateway id at the receiver). */
export const SAFE_NAME_PATTERN = '^[A-Za-z0-9._-]{1,128}$';
const SAFE_NAME = new RegExp(SAFE_NAME_PATTERN);

/** Ids become file names: refuse anything that could climb out of the output folder. */
export function isSafeName(s: string): boolean {
  return SAFE_NAME.test(s) && !s.startsWith('.');
}

/** The gateway topics a central consumer reads. */
export type CentralTopic =
  | { kind: 'event'; gateway: string }
  | { kind: 'status'; gateway: string }
  | { kind: 'clip-meta'; gateway: string; clipId: string }
  | { kind: 'clip-chunk'; gateway: string; clipId: string; index: number };

/** Filters for a central consumer of one gateway (or `+` for all below `prefix`). */
export function centralSubscriptions(prefix: string, gateway: string): string[] {
  const root = gatewayRoot(prefix, gateway);
  return [STATUS_TOPIC, EVENTS_TOPIC, clipMetaTopic('+'), clipChunkTopic('+', '+')].map((t) => under(root, t));
}

/** Parses an absolute topic under `prefix` (which may itself hold levels); null for anything else. */
export function parseCentralTopic(prefix: string, topic: string): CentralTopic | null {
  if (!topic.startsWith(`${prefix}/`)) return null;
  const parts = topic.slice(prefix.length + 1).split('/');
  const [gateway, what, clipId, sub, n] = parts;
  if (!gateway) return null;
  if (parts.length === 2 && what === EVENTS_TOPIC) return { kind: 'event', gateway };
  if (parts.length === 2 && what === STATUS_TOPIC) return { kind: 'status', gateway };
  if (what !== 'clips' || !clipId || !isSafeName(clipId)) return null;
  if (parts.length === 4 && sub === 'meta') return { kind: 'clip-meta', gateway, clipId };
  if (parts.length === 5 && sub === 'chunk' && /^\d{1,9}$/.test(n)) return { kind: 'clip-chunk', gateway, clipId, index: Number(n) };
  return null;
}
