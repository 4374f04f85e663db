import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { AgentError } from '../core/errors.js';

/**
 * Pipeline templates live as text in pipelines/ (gst-launch syntax with {{placeholders}}), so a
 * technician can read and try them with gst-launch-1.0. Lines starting with # are comments.
 */

/** pipelines/ is found by walking up from this file: it works from the source tree and from dist/. */
function findPipelinesDir(): string {
  let dir = __dirname;
  for (let i = 0; i < 5; i++) {
    const candidate = path.join(dir, 'pipelines');
    if (existsSync(path.join(candidate, 'fragments'))) return candidate;
    dir = path.dirname(dir);
  }
  throw new AgentError('GST_PIPELINE_TEMPLATES_MISSING', 'pipelines/ folder not found beside the agent', 'reinstall the agent package');
}

const cache = new Map<string, string>();

export function loadTemplate(name: string): string {
  let text = cache.get(name);
  if (text === undefined) {
    const file = path.join(findPipelinesDir(), `${name}.pipeline`);
    text = readFileSync(file, 'utf8')
      .split('\n')
      .filter((l) => !l.trimStart().startsWith('#'))
      .join('\n');
    cache.set(name, text);
  }
  return text;
}

/** Quotes a value for gst-launch syntax (paths and URLs may hold spaces or !). */
export function quoteGst(value: string): string {
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/** Replaces every {{name}}; a placeholder without a value is a bug in the template, so it throws. */
export function renderTemplate(template: string, values: Record<string, string | number | boolean>): string {
  const out = template.replace(/\{\{(\w+)\}\}/g, (_m, key: string) => {
    const v = values[key];
    if (v === undefined) throw new AgentError('GST_PIPELINE_TEMPLATE_INVALID', `pipeline template needs a value for {{${key}}}`);
    return String(v);
  });
  return out.replace(/\s+/g, ' ').trim();
}

/**
 * A description as gst-launch-1.0's argv: split at spaces outside double quotes. gst-launch escapes
 * the spaces inside each argument it is given, so one argument holding the whole description is
 * one (invalid) token once any option precedes it.
 */
export function launchArgv(description: string): string[] {
  const tokens: string[] = [];
  let current = '';
  let quoted = false;
  for (let i = 0; i < description.length; i++) {
    const c = description[i];
    if (c === '\\' && i + 1 < description.length) {
      current += c + description[++i];
    } else if (c === '"') {
      quoted = !quoted;
      current += c;
    } else if (/\s/.test(c) && !quoted) {
      if (current) tokens.push(current);
      current = '';
    } else {
      current += c;
    }
  }
  if (current) tokens.push(current);
  return tokens;
}
