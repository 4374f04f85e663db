import type { LineCountReport } from '../core/object-event.js';

/**
 * The wire form of an interval's line counts: topic `counts` (below `<prefix>/<gw>/`) and its JSON
 * payload, the report as it is (its deterministic `id` lets the central side drop a re-sent one).
 * The one place that names the topic and shapes the payload; it moves to agent/contract/ (topic
 * builder + TypeBox payload schema) when that lands.
 */
export function countsMessage(report: LineCountReport): { topic: 'counts'; payload: LineCountReport } {
  return { topic: 'counts', payload: { id: report.id, camera: report.camera, line: report.line, from: report.from, to: report.to, counts: report.counts } };
}
