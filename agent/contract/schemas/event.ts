import { Type, type Static } from '@sinclair/typebox';
import type { ObjectEvent } from '../../core/object-event.js';
import { MessageId, Strict, type Assert, type SameKeys } from './common.js';

const Epoch = (description: string) => Type.Number({ description: `${description} (ms since the epoch)` });

/** An object event as the detection stage emits it (see docs/detection.md for when each type comes). */
export const ObjectEventProperties = {
  type: Type.Union([Type.Literal('start'), Type.Literal('update'), Type.Literal('end')], { description: 'start: a new tracked object; update: it changed (zone, better score); end: it left or the track timed out' }),
  camera: Type.String({ description: 'camera id from the config' }),
  objectId: Type.String({ description: 'track id, unique per camera and run' }),
  label: Type.String({ description: 'class, e.g. car, person' }),
  score: Type.Number({ description: 'detector score of the latest detection, 0..1' }),
  topScore: Type.Number({ description: 'best score of the track so far, 0..1' }),
  box: Type.Tuple([Type.Number(), Type.Number(), Type.Number(), Type.Number()], { description: '[x1, y1, x2, y2] in 0..1 of the frame' }),
  zones: Type.Array(Type.String(), { description: 'configured zones the object is in' }),
  startTs: Epoch('when the track started'),
  endTs: Type.Optional(Epoch('when the track ended (end events)')),
  ts: Epoch('when this event happened'),
};

export const EventMessageSchema = Type.Object(
  {
    id: MessageId,
    seq: Type.Integer({ minimum: 1, description: 'per gateway 1, 2, 3…: persisted, never reused or skipped; a gap at a receiver means loss' }),
    ...ObjectEventProperties,
  },
  { ...Strict, title: 'events' },
);
export type EventMessage = Static<typeof EventMessageSchema>;
/** The event before the outbox numbers it (detection hands its box over read-only). */
export type EventBody = Omit<EventMessage, 'id' | 'seq' | 'box'> & { box: Readonly<EventMessage['box']> };

/** The wire bytes: `id` and `seq` first, then the event's fields. */
export function encodeEventMessage(id: string, seq: number, event: EventBody): Buffer {
  const message: Pick<EventMessage, 'id' | 'seq'> & EventBody = { id, seq, ...event };
  return Buffer.from(JSON.stringify(message));
}

// The detection stage's event must fit the wire schema, field for field (fails to compile otherwise).
export type ObjectEventFitsTheWire = Assert<ObjectEvent extends EventBody ? true : false>;
export type ObjectEventHasTheWireFields = Assert<SameKeys<ObjectEvent, EventBody>>;
