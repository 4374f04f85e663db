import type { Static, TSchema } from '@sinclair/typebox';
import Ajv, { type ErrorObject } from 'ajv';
import addFormats from 'ajv-formats';

const ajv = new Ajv({ allErrors: false, strict: false });
addFormats(ajv);

export interface WireValidator<S extends TSchema> {
  (value: unknown): value is Static<S>;
  /** Why the last value failed, e.g. `/bytes must be integer` (empty after a pass). */
  problem(): string;
}

/** A compiled validator for one wire schema (compiled once, on first use). */
export function wireValidator<S extends TSchema>(schema: S): WireValidator<S> {
  let compiled: ReturnType<typeof ajv.compile> | undefined;
  let last: ErrorObject[] = [];
  const check = ((value: unknown): boolean => {
    compiled ??= ajv.compile(schema);
    const ok = compiled(value) as boolean;
    last = ok ? [] : (compiled.errors ?? []);
    return ok;
  }) as WireValidator<S>;
  check.problem = () => last.map((e) => `${e.instancePath || '/'} ${e.message ?? e.keyword}${e.keyword === 'additionalProperties' ? ` (${String(e.params.additionalProperty)})` : ''}`).join('; ');
  return check;
}
