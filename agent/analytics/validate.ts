import Ajv from 'ajv';
import { describeSchemaError, type ConfigProblem } from '../config/validate.js';
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
  if (!validateFragment(candidate)) {
    const seen = new Set<string>();
    const problems = (validateFragment.errors ?? []).map(describeSchemaError).filter((p) => {
      const k = `${p.path}\u0000${p.reason}`;
      return seen.has(k) ? false : (seen.add(k), true);
    });
    return { ok: false, problems };
  }
  const problems = analyticsProblems(candidate.cameras);
  return problems.length ? { ok: false, problems } : { ok: true, config: candidate };
}


