import type { TSchema } from '@sinclair/typebox';
import { CountsMessageSchema } from './schemas/counts.js';
import { EventMessageSchema } from './schemas/event.js';
import { FileMetaMessageSchema } from './schemas/file.js';
import { HealthMessageSchema } from './schemas/health.js';
import { CommandResponseSchema, ConfigReportSchema, DesiredConfigClaimsSchema, FlattenedJwsSchema, PlainRequestSchema, SignedCommandClaimsSchema } from './schemas/provisioning.js';
import { SelftestMessageSchema } from './schemas/selftest.js';
import { StatusMessageSchema } from './schemas/status.js';
import {
  clipChunkTopic, clipMetaTopic, COUNTS_TOPIC, DESIRED_TOPIC, diagProbeTopic, EVENTS_TOPIC, HEALTH_TOPIC, REPORTED_TOPIC, requestTopic, responseTopic, SELFTEST_TOPIC, STATUS_TOPIC,
} from './topics.js';

/** One kind of message on the wire: where it goes, how, and the schema of its payload. */
export interface WireMessage {
  /** Relative to the gateway root; `<...>` marks a variable level. */
  topic: string;
  direction: 'gw → central' | 'central → gw' | 'gw → gw';
  qos: 0 | 1;
  retained: boolean;
  /** outbox: stored first, sent when the broker is reachable, removed after the PUBACK. */
  path: 'outbox' | 'direct';
  /** The payload's schemas (several for alternatives, e.g. a JWS and its claims); none for binary. */
  schemas: TSchema[];
  payload: string;
  /** Where the behaviour behind it is described. */
  doc: string;
}

/** Every message the gateway sends or takes: the table in docs/mqtt.md is generated from this. */
export const WIRE_MESSAGES: WireMessage[] = [
  { topic: STATUS_TOPIC, direction: 'gw → central', qos: 1, retained: true, path: 'direct', schemas: [StatusMessageSchema], payload: 'online / offline status', doc: 'mqtt.md' },
  { topic: EVENTS_TOPIC, direction: 'gw → central', qos: 1, retained: false, path: 'outbox', schemas: [EventMessageSchema], payload: 'object event + `id` + `seq`', doc: 'detection.md' },
  { topic: COUNTS_TOPIC, direction: 'gw → central', qos: 1, retained: false, path: 'outbox', schemas: [CountsMessageSchema], payload: 'line counts of one interval (deterministic `id`)', doc: 'analytics.md' },
  { topic: HEALTH_TOPIC, direction: 'gw → central', qos: 1, retained: false, path: 'outbox', schemas: [HealthMessageSchema], payload: 'health report + `id`', doc: 'mqtt.md' },
  { topic: SELFTEST_TOPIC, direction: 'gw → central', qos: 1, retained: false, path: 'outbox', schemas: [SelftestMessageSchema], payload: 'diag report + `id`', doc: 'diagnostics.md' },
  { topic: clipMetaTopic('<clipId>'), direction: 'gw → central', qos: 1, retained: false, path: 'outbox', schemas: [FileMetaMessageSchema], payload: 'file meta, signed', doc: 'clips.md' },
  { topic: clipChunkTopic('<clipId>', '<n>'), direction: 'gw → central', qos: 1, retained: false, path: 'outbox', schemas: [], payload: 'binary: bytes n·chunkBytes … of the file', doc: 'clips.md' },
  { topic: DESIRED_TOPIC, direction: 'central → gw', qos: 1, retained: true, path: 'direct', schemas: [FlattenedJwsSchema, DesiredConfigClaimsSchema], payload: 'signed desired config (JWS)', doc: 'provisioning.md' },
  { topic: REPORTED_TOPIC, direction: 'gw → central', qos: 1, retained: true, path: 'direct', schemas: [ConfigReportSchema], payload: 'outcome of the latest desired config', doc: 'provisioning.md' },
  { topic: requestTopic('<name>'), direction: 'central → gw', qos: 1, retained: false, path: 'direct', schemas: [PlainRequestSchema, FlattenedJwsSchema, SignedCommandClaimsSchema], payload: 'command: plain JSON, or a JWS when it changes anything', doc: 'provisioning.md' },
  { topic: responseTopic('<name>'), direction: 'gw → central', qos: 1, retained: false, path: 'direct', schemas: [CommandResponseSchema], payload: 'answer (also on the MQTT 5 response topic the request named)', doc: 'provisioning.md' },
  { topic: diagProbeTopic('<token>'), direction: 'gw → gw', qos: 1, retained: false, path: 'direct', schemas: [], payload: 'round-trip probe of `edge-agent diag` (text)', doc: 'diagnostics.md' },
];
