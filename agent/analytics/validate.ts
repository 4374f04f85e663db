import Ajv from 'ajv';
import { schemaProblems, type ConfigProblem } from '../config/validate.js';
import { AnalyticsConfigFragment, analyticsProblems, type AnalyticsConfig } from './schema.js';

const ajv = new Ajv({ allErrors: true, useDefaults: true, strict: false });
const validateFragment = ajv.compile<AnalyticsConfig>(AnalyticsConfigFragment);

/**
 * Validates the analytics slice of a config (cameras' lines and zones, the analytics section) the
 * way config/validate.ts validates the whole: every problem by JSON path, defaults filled in, input
 * untouched. Stands in until the pieces are merged into THE schema.
 */
export function validateAnalyticsConfig(input: unknown): { ok: true; config: AnalyticsConfig } | { ok: false; problems: ConfigProblem[] } {
  const candidate: unknown = structuredClone(input);
  if (!validateFragment(candidate)) return { ok: false, problems: schemaProblems(validateFragment.errors) };
  const problems = analyticsProblems(candidate.cameras);
  return problems.length ? { ok: false, problems } : { ok: true, config: candidate };
}
