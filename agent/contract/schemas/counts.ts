import { Type, type Static } from '@sinclair/typebox';
import type { LineCountReport } from '../../core/object-event.js';
import { IsoTime, Strict, type Assert, type SameKeys } from './common.js';

const Count = Type.Integer({ minimum: 0 });

/** One interval's crossings of one counting line (docs/analytics.md): contiguous, zeros when nothing crossed. */
export const CountsMessageSchema = Type.Object(
  {
    id: Type.String({ minLength: 1, description: 'deterministic (camera, line, interval start): a re-sent report dedupes on it' }),
    camera: Type.String({ description: 'camera id from the config' }),
    line: Type.String({ description: 'line name from cameras[].lines' }),
    from: IsoTime('interval start on the camera capture clock (inclusive)'),
    to: IsoTime('interval end (exclusive); the next interval starts here'),
    counts: Type.Record(Type.String(), Type.Object({ ab: Count, ba: Count }, Strict), { description: 'per label: crossings each way (ab: from the left of from→to to its right on screen)' }),
  },
  { ...Strict, title: 'counts' },
);
export type CountsMessage = Static<typeof CountsMessageSchema>;

// The analytics' report must be the wire payload, field for field (fails to compile otherwise).
export type CountsFitTheWire = Assert<LineCountReport extends CountsMessage ? true : false>;
export type CountsHaveTheWireFields = Assert<SameKeys<LineCountReport, CountsMessage>>;

/** The wire form: the report as it is, field by field (no extra in-process fields leak out). */
export function countsPayload(report: LineCountReport): CountsMessage {
  return { id: report.id, camera: report.camera, line: report.line, from: report.from, to: report.to, counts: report.counts };
}
