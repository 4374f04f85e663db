/**
 * What a `gst-launch-1.0 -m` camera child tells us, read from its text output: the bus messages it
 * prints on stdout (`Got message #N from element "rec" (element): splitmuxsink-fragment-closed,
 * location=(string)..., running-time=(guint64)...;`) and the error blocks it prints on stderr
 * (`ERROR: from element /GstPipeline:pipeline0/GstRTSPSrc:src: <message>` + `Additional debug info:`).
 * Formats as GStreamer 1.22 prints them, checked against real runs in test/ingest.
 */

export type LaunchMessage =
  | { kind: 'fragment-opened' | 'fragment-closed'; location: string; runningNs?: number }
  | { kind: 'eos' };

/** An error or warning block; `element` is the element's path, e.g. /GstPipeline:pipeline0/GstFileSrc:filesrc0. */
export interface LaunchProblem {
  level: 'error' | 'warning';
  element: string;
  message: string;
  debug: string;
  /** gst_parse_launch refused the description (`WARNING: erroneous pipeline: ...`). */
  parse: boolean;
}

const GOT_MESSAGE = /^Got message #\d+ from element "([^"]*)" \(([\w-]+)\): (.*)$/;
const FRAGMENT = /^(splitmuxsink-fragment-(?:opened|closed)), (.*)$/;

/** One stdout line → a message the supervisor acts on, or undefined for the rest (state changes, tags, latency, ...). */
export function parseStdoutLine(line: string): LaunchMessage | undefined {
  if (line.startsWith('Got EOS from element "pipeline')) return { kind: 'eos' };
  const m = GOT_MESSAGE.exec(line);
  if (!m) return undefined;
  const [, element, type, body] = m;
  if (type !== 'element' || element === '') return undefined;
  const f = FRAGMENT.exec(body);
  if (!f) return undefined;
  const location = structureField(f[2], 'location');
  if (location === undefined) return undefined;
  const running = Number(structureField(f[2], 'running-time'));
  return { kind: f[1] === 'splitmuxsink-fragment-opened' ? 'fragment-opened' : 'fragment-closed', location, ...(Number.isFinite(running) ? { runningNs: running } : {}) };
}

/** A field of a printed GstStructure: `name=(type)value` or `name=(type)"quoted \"value\""`. */
export function structureField(fields: string, name: string): string | undefined {
  const escaped = name.replace(/[-]/g, '\\-');
  const m = new RegExp(`(?:^|, )${escaped}=\\([\\w]+\\)("(?:[^"\\\\]|\\\\.)*"|[^,;]*)`).exec(fields);
  if (!m) return undefined;
  const raw = m[1];
  return raw.startsWith('"') ? raw.slice(1, -1).replace(/\\(.)/g, '$1') : raw;
}

const PROBLEM = /^(ERROR|WARNING): from element (\S+): (.*)$/;
const PARSE_PROBLEM = /^WARNING: erroneous pipeline: (.*)$/;

/**
 * Collects stderr lines into problem blocks: a block starts at `ERROR:`/`WARNING:` and takes the
 * debug lines after `Additional debug info:`. `pipeline doesn't want to preroll` and the like
 * (gst-launch's own summaries) end a block without starting one.
 */
export class StderrReader {
  private current?: LaunchProblem;
  private inDebug = false;

  constructor(private readonly onProblem: (p: LaunchProblem) => void) {}

  line(text: string): void {
    const parse = PARSE_PROBLEM.exec(text);
    if (parse) {
      this.flush();
      this.onProblem({ level: 'error', element: '', message: parse[1], debug: '', parse: true });
      return;
    }
    const m = PROBLEM.exec(text);
    if (m) {
      this.flush();
      this.current = { level: m[1] === 'ERROR' ? 'error' : 'warning', element: m[2], message: m[3], debug: '', parse: false };
      this.inDebug = false;
      return;
    }
    if (!this.current) return;
    if (text === 'Additional debug info:') {
      this.inDebug = true;
    } else if (this.inDebug && !/^(ERROR|WARNING|Setting|Freeing|Execution|Failed)\b/.test(text)) {
      this.current.debug += (this.current.debug ? '\n' : '') + text;
    } else {
      this.flush();
    }
  }

  /** Ends the block being read (at the end of the stream). */
  flush(): void {
    if (this.current) this.onProblem(this.current);
    this.current = undefined;
    this.inDebug = false;
  }
}

/** The element's own name from its path: /GstPipeline:pipeline0/GstRTSPSrc:src → src. */
export function elementName(pathText: string): string {
  const last = pathText.split('/').pop() ?? '';
  return last.includes(':') ? last.slice(last.indexOf(':') + 1) : last;
}
