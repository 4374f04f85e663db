/**
 * The table cells both schema-driven doc generators write (gen-config-docs.ts for THE config schema,
 * gen-mqtt-docs.ts for the wire contract): a JSON Schema node's type and its meaning (description
 * and constraints). Not a generator itself; each of those walks its schema its own way.
 */

/** The parts of a JSON Schema node (as TypeBox emits it) the generators read. */
export interface SchemaNode {
  type?: string | string[];
  title?: string;
  description?: string;
  default?: unknown;
  properties?: Record<string, SchemaNode>;
  required?: string[];
  items?: SchemaNode | SchemaNode[];
  anyOf?: SchemaNode[];
  oneOf?: SchemaNode[];
  const?: unknown;
  enum?: unknown[];
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  pattern?: string;
  format?: string;
  additionalProperties?: boolean | SchemaNode;
  patternProperties?: Record<string, SchemaNode>;
  [k: string]: unknown;
}

/** `string`, `number[]`, `(string \| number)[]`, `"rtsp"`, `map of …`, `string (date-time)`. */
export function typeOf(n: SchemaNode): string {
  if (n.const !== undefined) return JSON.stringify(n.const);
  const alts = n.anyOf ?? n.oneOf;
  if (alts) return [...new Set(alts.map(typeOf))].join(' \\| ');
  if (n.type === 'array') {
    if (Array.isArray(n.items)) return `[${n.items.map(typeOf).join(', ')}]`;
    const item = n.items ? typeOf(n.items) : 'any';
    return item.includes('|') ? `(${item})[]` : `${item}[]`;
  }
  if (n.patternProperties) return `map of ${Object.values(n.patternProperties).map(typeOf).join('')}`;
  if (n.format) return `${String(n.type)} (${n.format})`;
  return String(n.type ?? 'any');
}

function constraints(n: SchemaNode): string {
  const c: string[] = [];
  if (n.minimum !== undefined) c.push(`≥ ${n.minimum}`);
  if (n.exclusiveMinimum !== undefined) c.push(`> ${n.exclusiveMinimum}`);
  if (n.maximum !== undefined) c.push(`≤ ${n.maximum}`);
  if (n.pattern) c.push(`pattern \`${n.pattern}\``);
  if (n['x-cron']) c.push('cron expression');
  return c.join(', ');
}

/** The meaning cell: the description, then the constraints, with `|` escaped for the table. */
export function meaningOf(n: SchemaNode): string {
  return [n.description ?? '', constraints(n)].filter(Boolean).join('; ').replace(/\|/g, '\\|');
}
