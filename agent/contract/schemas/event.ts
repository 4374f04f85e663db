import { Type, type Static } from '@sinclair/typebox';
import { COLOUR_NAMES, HEADINGS, type ObjectEvent } from '../../core/object-event.js';
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
  crossings: Type.Optional(
    Type.Array(
      Type.Object({ line: Type.String(), direction: Type.Union([Type.Literal('ab'), Type.Literal('ba')]), ts: Epoch('capture time of the sighting that completed the crossing') }, Strict),
      { description: 'counting lines the object crossed (update: the new ones; end: all) - docs/analytics.md' },
    ),
  ),
  speedKmh: Type.Optional(Type.Number({ minimum: 0, description: 'median speed over a zone with measured distances; never guessed' })),
  loitering: Type.Optional(Type.Boolean({ description: 'on one update: stayed longer than a zone\'s loiterSeconds' })),
  direction: Type.Optional(Type.Union(HEADINGS.map((h) => Type.Literal(h)), { description: 'end only: overall heading of the path in the image' })),
  colour: Type.Optional(Type.Union(COLOUR_NAMES.map((c) => Type.Literal(c)), { description: 'end only: dominant colour of the best crop' })),
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
