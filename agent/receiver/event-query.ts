import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { isSafeName, type EventMessage, type FileMetaMessage } from '../contract/index.js';
import { AgentError } from '../core/errors.js';
import { COLOUR_NAMES, HEADINGS, type LineDirection } from '../core/object-event.js';

/** What an investigator searches by (`edge-agent receive --query`); every given field must match. */
export interface EventQuery {
  label?: string;
  colour?: string;
  direction?: string;
  zone?: string;
  line?: { name: string; direction?: LineDirection };
  camera?: string;
  /** ms since epoch: the object was seen at some time in [from, to]. */
  from?: number;
  to?: number;
}

/** One object as its events in events.jsonl tell it, with the files the receiver has for it. */
export interface ObjectMatch {
  gateway: string;
  camera: string;
  objectId: string;
  label: string;
  colour?: string;
  direction?: string;
  zones: string[];
  crossings: { line: string; direction: LineDirection }[];
  startTs: number;
  endTs: number;
  /** Snapshot and clip files under clips/ whose meta names this object. */
  files: string[];
}

const KEYS = ['label', 'colour', 'color', 'direction', 'zone', 'line', 'camera', 'from', 'to'];
const bad = (message: string): AgentError =>
  new AgentError('RECEIVER_BAD_QUERY', message, `a query is key=value terms joined by commas, keys ${KEYS.join(', ')}; e.g. label=motorcycle,colour=red,direction=up,from=2026-12-05T14:00:00Z,to=2026-12-05T14:10:00Z`);

/** Parses `label=car,colour=red,line=across:ab,from=<ISO>,to=<ISO>`; an unknown key or value is an error naming it. */
export function parseQuery(text: string): EventQuery {
  const q: EventQuery = {};
  for (const term of text.split(',').map((t) => t.trim()).filter(Boolean)) {
    const eq = term.indexOf('=');
    const key = eq > 0 ? term.slice(0, eq).trim() : '';
    const value = eq > 0 ? term.slice(eq + 1).trim() : '';
    if (!KEYS.includes(key)) throw bad(`unknown query key in "${term}"`);
    if (!value) throw bad(`"${key}" needs a value`);
    if (key === 'colour' || key === 'color') {
      if (!(COLOUR_NAMES as readonly string[]).includes(value)) throw bad(`unknown colour "${value}": one of ${COLOUR_NAMES.join(', ')}`);
      q.colour = value;
    } else if (key === 'direction') {
      if (!(HEADINGS as readonly string[]).includes(value)) throw bad(`unknown direction "${value}": one of ${HEADINGS.join(', ')}`);
      q.direction = value;
    } else if (key === 'line') {
      const [name, dir] = value.split(':');
      if (dir !== undefined && dir !== 'ab' && dir !== 'ba') throw bad(`line direction "${dir}" must be ab or ba`);
      q.line = dir ? { name, direction: dir } : { name };
    } else if (key === 'from' || key === 'to') {
      const ms = Date.parse(value);
      if (!Number.isFinite(ms)) throw bad(`"${key}" is not an ISO-8601 time: ${value}`);
      q[key] = ms;
    } else q[key as 'label' | 'zone' | 'camera'] = value;
  }
  if (q.from !== undefined && q.to !== undefined && q.to < q.from) throw bad('"to" is before "from"');
  return q;
}

/** A line of events.jsonl: the event as it came from the gateway, so any field may be missing. */
interface LoggedEvent {
  gateway: string;
  event: Partial<EventMessage>;
}

/** The objects in `<outDir>/events.jsonl` that match `q`, in order of first sighting. */
export function queryEvents(outDir: string, q: EventQuery): ObjectMatch[] {
  const file = path.join(outDir, 'events.jsonl');
  if (!existsSync(file)) return [];
  const objects = new Map<string, ObjectMatch>();
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    let logged: LoggedEvent;
    try {
      logged = JSON.parse(line) as LoggedEvent;
    } catch {
      continue; // a torn last line after a crash: the rest is still searchable
    }
    const e = logged.event;
    if (!e?.objectId || typeof e.startTs !== 'number') continue;
    const key = `${logged.gateway}\u0000${e.objectId}`;
    const o = objects.get(key) ?? { gateway: logged.gateway, camera: e.camera ?? '', objectId: e.objectId, label: e.label ?? '', zones: [], crossings: [], startTs: e.startTs, endTs: e.startTs, files: [] };
    objects.set(key, o);
    if (e.label) o.label = e.label;
    for (const z of e.zones ?? []) if (!o.zones.includes(z)) o.zones.push(z);
    for (const c of e.crossings ?? []) if (!o.crossings.some((x) => x.line === c.line && x.direction === c.direction)) o.crossings.push({ line: c.line, direction: c.direction });
    o.endTs = Math.max(o.endTs, e.endTs ?? e.ts ?? o.endTs);
    if (e.colour) o.colour = e.colour;
    if (e.direction) o.direction = e.direction;
  }
  const matches = [...objects.values()].filter((o) => isMatch(o, q));
  attachFiles(outDir, matches);
  return matches;
}

function isMatch(o: ObjectMatch, q: EventQuery): boolean {
  if (q.label !== undefined && o.label !== q.label) return false;
  if (q.colour !== undefined && o.colour !== q.colour) return false;
  if (q.direction !== undefined && o.direction !== q.direction) return false;
  if (q.camera !== undefined && o.camera !== q.camera) return false;
  if (q.zone !== undefined && !o.zones.includes(q.zone)) return false;
  const line = q.line;
  if (line && !o.crossings.some((c) => c.line === line.name && (!line.direction || c.direction === line.direction))) return false;
  if (q.from !== undefined && o.endTs < q.from) return false;
  if (q.to !== undefined && o.startTs > q.to) return false;
  return true;
}

/** The verified files (clips/<gateway>/<clipId>.meta.json names the object as eventId) of each match. */
function attachFiles(outDir: string, matches: ObjectMatch[]): void {
  const clipsDir = path.join(outDir, 'clips');
  if (matches.length === 0 || !existsSync(clipsDir)) return;
  const byKey = new Map(matches.map((m) => [`${m.gateway}\u0000${m.objectId}`, m]));
  for (const gateway of [...new Set(matches.map((m) => m.gateway))].sort()) {
    const dir = path.join(clipsDir, gateway);
    if (!isSafeName(gateway) || !existsSync(dir)) continue;
    const names = readdirSync(dir).sort();
    for (const name of names.filter((n) => n.endsWith('.meta.json'))) {
      let meta: Partial<FileMetaMessage>;
      try {
        meta = JSON.parse(readFileSync(path.join(dir, name), 'utf8')) as typeof meta;
      } catch {
        continue;
      }
      const m = meta.eventId ? byKey.get(`${gateway}\u0000${meta.eventId}`) : undefined;
      if (!m) continue;
      const stem = name.slice(0, -'.meta.json'.length);
      const file = names.find((n) => n.startsWith(`${stem}.`) && !n.endsWith('.json') && !n.endsWith('.part'));
      if (file) m.files.push(path.join(dir, file));
    }
  }
}

/** One line per match: who, what, where, when, and its files. */
export function formatMatch(m: ObjectMatch): string {
  const parts = [
    m.gateway, m.camera, m.objectId, m.label,
    `colour=${m.colour ?? '-'}`, `direction=${m.direction ?? '-'}`,
    `zones=${m.zones.join('+') || '-'}`,
    `lines=${m.crossings.map((c) => `${c.line}:${c.direction}`).join('+') || '-'}`,
    `${new Date(m.startTs).toISOString()}..${new Date(m.endTs).toISOString()}`,
  ];
  return [...parts, ...m.files].join(' ');
}
