/**
 * Regenerates the marked sections of docs/mqtt.md from the wire contract (agent/contract/): the topic
 * table and one field table per payload schema. The prose around the markers is hand-written and kept.
 * `npx tsx scripts/gen-mqtt-docs.ts` rewrites the file; test/contract/docs.test.ts fails when it is stale.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { TSchema } from '@sinclair/typebox';
import { COMMAND_SPECS, requestTopic, WIRE_MESSAGES } from '../agent/contract/index.js';
import { meaningOf, typeOf, type SchemaNode } from './gen-schema-cells.js';

const DOCS_FILE = path.resolve(__dirname, '../docs/mqtt.md');

/** One row per field, nested objects and maps flattened into dotted paths. */
function fieldRows(n: SchemaNode, at: string, required: boolean, rows: string[]): string[] {
  if (at) {
    rows.push(`| \`${at}\` | ${typeOf(n)} | ${required ? 'yes' : ''} | ${meaningOf(n)} |`);
  }
  for (const [k, v] of Object.entries(n.properties ?? {})) fieldRows(v, at ? `${at}.${k}` : k, n.required?.includes(k) ?? false, rows);
  for (const v of Object.values(n.patternProperties ?? {})) fieldRows(v, `${at}.<key>`, true, rows);
  const objectAlternatives = n.anyOf?.filter((a) => a.properties) ?? [];
  for (const alt of objectAlternatives) fieldRows(alt, at, true, rows);
  return rows;
}

function fieldTable(schema: SchemaNode): string {
  const variants = schema.anyOf?.every((a) => a.properties) ? schema.anyOf : [schema];
  return variants
    .map((v) => `${variants.length > 1 ? `*${v.title ?? ''}*\n\n` : ''}| field | type | required | meaning |\n|---|---|---|---|\n${fieldRows(v, '', true, []).join('\n')}\n`)
    .join('\n');
}

function topicTable(): string {
  const rows = WIRE_MESSAGES.map((m) => `| \`${m.topic}\` | ${m.direction} | ${m.qos} | ${m.retained ? 'yes' : 'no'} | ${m.path} | ${m.payload} | ${m.doc === 'mqtt.md' ? 'here' : `[${m.doc}](${m.doc})`} |`);
  return `| topic (below the root) | direction | QoS | retained | sent | payload | details |\n|---|---|---|---|---|---|---|\n${rows.join('\n')}\n`;
}

/** The commands, their signing rule and `args` (the `<name>` of `request/<name>`). */
function commandTable(): string {
  const rows = Object.entries(COMMAND_SPECS).map(([name, s]) => {
    const args = Object.entries((s.args as SchemaNode).properties ?? {}).map(([k, v]) => `\`${k}\`: ${typeOf(v)}`);
    const note = (s.args as SchemaNode).description;
    return `| \`${name}\` | ${{ open: 'no', read: '**yes**: fleet or reader key', control: '**yes**: fleet key' }[s.access]} | ${args.length ? `{${args.join(', ')}}` : '—'}${note ? ` (${note})` : ''} | ${s.answers} |`;
  });
  return `#### Commands\n\n| name | signed? | args | data of an ok answer |\n|---|---|---|---|\n${rows.join('\n')}\n`;
}

function payloadTables(): string {
  const out: string[] = [];
  for (const m of WIRE_MESSAGES) {
    for (const schema of m.schemas as Array<TSchema & SchemaNode>) {
      out.push(`#### \`${m.topic}\`${schema.title && schema.title !== m.topic ? `: ${schema.title}` : ''}\n\n${schema.description ? `${schema.description}\n\n` : ''}${fieldTable(schema)}`);
    }
    if (m.topic === requestTopic('<name>')) out.push(commandTable());
  }
  return out.join('\n');
}

const SECTIONS: Record<string, () => string> = { topics: topicTable, payloads: payloadTables };

/** docs/mqtt.md with every `<!-- generated:NAME -->` … `<!-- /generated:NAME -->` section rendered anew. */
export function renderMqttDocs(current = readFileSync(DOCS_FILE, 'utf8')): string {
  let out = current;
  for (const [name, render] of Object.entries(SECTIONS)) {
    const start = `<!-- generated:${name} (scripts/gen-mqtt-docs.ts from agent/contract/; do not edit) -->`;
    const end = `<!-- /generated:${name} -->`;
    const from = out.indexOf(start);
    const to = out.indexOf(end);
    if (from < 0 || to < from) throw new Error(`docs/mqtt.md lacks the markers of the generated section "${name}": ${start} … ${end}`);
    out = `${out.slice(0, from + start.length)}\n${render()}${out.slice(to)}`;
  }
  return out;
}

if (require.main === module) {
  writeFileSync(DOCS_FILE, renderMqttDocs());
  process.stdout.write('docs/mqtt.md written\n');
}
