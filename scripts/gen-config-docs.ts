/**
 * Generates docs/config.md and docs/config.schema.json from THE config schema, so the docs can never
 * drift from what the agent validates. `npx tsx scripts/gen-config-docs.ts` rewrites them; a test
 * fails when the committed files are stale.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { AgentConfigSchema } from '../agent/config/schema/index.js';
import { meaningOf, typeOf, type SchemaNode } from './gen-schema-cells.js';

const rows: string[] = [];
/** `applied`: the nearest `x-apply` mark (a key's own, else its section's). */
function walk(n: SchemaNode, at: string, required: boolean, inherited = ''): void {
  const applied = typeof n['x-apply'] === 'string' ? n['x-apply'] : inherited;
  if (at) {
    const def = n.default !== undefined ? `\`${JSON.stringify(n.default)}\`` : required ? '**required**' : '';
    rows.push(`| \`${at}\` | ${typeOf(n)} | ${def} | ${applied} | ${meaningOf(n)} |`);
  }
  if (n.properties) for (const [k, v] of Object.entries(n.properties)) walk(v, at ? `${at}.${k}` : k, n.required?.includes(k) ?? false, applied);
  if (n.type === 'array' && n.items && !Array.isArray(n.items)) walk(n.items, `${at}[]`, false, applied);
  if (n.patternProperties) for (const v of Object.values(n.patternProperties)) walk(v, `${at}.<name>`, false, applied);
  const alts = n.oneOf ?? (n.anyOf && n.anyOf.some((a) => a.properties) ? n.anyOf : undefined);
  if (alts) {
    for (const alt of alts) {
      const kind = alt.properties?.kind?.const;
      if (!alt.properties) continue;
      for (const [k, v] of Object.entries(alt.properties)) if (k !== 'kind' || kind === undefined) walk(v, `${at}${kind !== undefined ? ` (kind ${JSON.stringify(kind)})` : ''}.${k}`, alt.required?.includes(k) ?? false, applied);
    }
  }
}

export function renderConfigDocs(): { markdown: string; jsonSchema: string } {
  rows.length = 0;
  walk(AgentConfigSchema as unknown as SchemaNode, '', true);
  const markdown = `# Configuration reference

Generated from THE config schema (\`agent/config/schema/\`) by \`scripts/gen-config-docs.ts\`; do not edit by
hand. The same schema validates the config file (\`edge-agent check-config FILE\`), the \`config\` of a signed
desired configuration sent over MQTT (docs/provisioning.md), and gives the TypeScript types. Unknown keys are
errors; defaults are filled in. The JSON Schema itself: [config.schema.json](config.schema.json).

A secret (\`password\`) is a string, \`{"env": "NAME"}\` or \`{"file": "/path"}\`. Polygons are lists of
\`[x, y]\` points in 0..1 of the frame.

**applied** (the schema's \`x-apply\`) says how a running agent takes a change pushed as a desired config:
\`live\` = the running subsystem takes it; \`restart\` = it is read only at start, so the agent restarts
in-process from that subsystem on (provisioning stays up, checks health and rolls back as for any push;
docs/architecture.md, "Lifecycle"). \`gateway.id\` and \`gateway.dataDir\` are refused at run time
(\`CONFIG_NOT_APPLICABLE\`): they change only by reflashing.

| key | type | default | applied | meaning |
|---|---|---|---|---|
${rows.join('\n')}
`;
  return { markdown, jsonSchema: JSON.stringify(AgentConfigSchema, null, 2) + '\n' };
}

if (require.main === module) {
  const { markdown, jsonSchema } = renderConfigDocs();
  const docs = path.resolve(__dirname, '../docs');
  writeFileSync(path.join(docs, 'config.md'), markdown);
  writeFileSync(path.join(docs, 'config.schema.json'), jsonSchema);
  process.stdout.write('docs/config.md and docs/config.schema.json written\n');
}
