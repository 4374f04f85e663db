import Ajv, { type ErrorObject } from 'ajv';
import addFormats from 'ajv-formats';
import cron from 'node-cron';
import { CONFIG_RENAMES, migrateConfig, type AppliedRename, type KeyRename } from './migrate.js';
import { AgentConfigSchema, type AgentConfig } from './schema/index.js';

export interface ConfigProblem {
  /** JSON path of the offending value, e.g. `cameras[1].source.url` (`$` for the root). */
  path: string;
  reason: string;
}

/** `renamed`: keys an older agent version wrote, moved to their new names (agent/config/migrate.ts). */
export type ConfigResult = { ok: true; config: AgentConfig; renamed: AppliedRename[] } | { ok: false; problems: ConfigProblem[] };

const ajv = new Ajv({ allErrors: true, useDefaults: true, discriminator: true, strict: false });
addFormats(ajv);
ajv.addKeyword({
  keyword: 'x-cron',
  type: 'string',
  errors: true,
  validate: function validateCron(this: unknown, enabled: boolean, data: string): boolean {
    if (!enabled || cron.validate(data)) return true;
    (validateCron as unknown as { errors: Partial<ErrorObject>[] }).errors = [{ keyword: 'x-cron', message: `"${data}" is not a valid cron expression`, params: {} }];
    return false;
  },
});
// An annotation, not a check: how a running agent takes a change to the section or key (docs/config.md).
ajv.addKeyword({ keyword: 'x-apply', metaSchema: { enum: ['live', 'restart'] } });
const validateSchema = ajv.compile<AgentConfig>(AgentConfigSchema);

/** `/cameras/1/source/url` -> `cameras[1].source.url` */
function toJsonPath(pointer: string, extra?: string): string {
  const parts = pointer.split('/').slice(1).map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  if (extra !== undefined) parts.push(extra);
  let out = '';
  for (const p of parts) out += /^\d+$/.test(p) ? `[${p}]` : out ? `.${p}` : p;
  return out || '$';
}

function describe(e: ErrorObject): ConfigProblem {
  switch (e.keyword) {
    case 'additionalProperties':
      return { path: toJsonPath(e.instancePath, String(e.params.additionalProperty)), reason: 'unknown key' };
    case 'required':
      return { path: toJsonPath(e.instancePath, String(e.params.missingProperty)), reason: 'is required' };
    case 'discriminator':
      return { path: toJsonPath(e.instancePath, 'kind'), reason: 'must be one of rtsp, file, test, onvif, v4l2' };
    default:
      return { path: toJsonPath(e.instancePath), reason: e.message ?? e.keyword };
  }
}

/** Cross-field rules the schema cannot express. */
function semanticProblems(config: AgentConfig): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const seen = new Set<string>();
  config.cameras.forEach((cam, i) => {
    if (seen.has(cam.id)) problems.push({ path: `cameras[${i}].id`, reason: `duplicate camera id "${cam.id}"` });
    seen.add(cam.id);
    if (cam.backoff.maxMs < cam.backoff.initialMs) problems.push({ path: `cameras[${i}].backoff.maxMs`, reason: 'must be >= initialMs' });
    problems.push(...analyticsProblems(cam, `cameras[${i}]`));
  });
  if (config.mqtt.reconnectMaxMs < config.mqtt.reconnectMinMs) problems.push({ path: 'mqtt.reconnectMaxMs', reason: 'must be >= reconnectMinMs' });
  if (config.statusPage.enabled && !config.statusPage.password) {
    problems.push({ path: 'statusPage.password', reason: 'is required when the status page is enabled (there is no default password)' });
  }
  return problems;
}

/** The analytics rules (docs/analytics.md): a line needs two distinct ends and a unique name, distances a 4-corner zone. */
function analyticsProblems(cam: AgentConfig['cameras'][number], at: string): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const names = new Set<string>();
  cam.lines.forEach((line, l) => {
    const path = `${at}.lines[${l}]`;
    if (line.from[0] === line.to[0] && line.from[1] === line.to[1]) problems.push({ path: `${path}.to`, reason: 'must differ from `from` (a line needs two distinct ends)' });
    if (names.has(line.name)) problems.push({ path: `${path}.name`, reason: `duplicate line name "${line.name}"` });
    names.add(line.name);
  });
  cam.zones.forEach((zone, z) => {
    if (zone.distances && zone.polygon.length !== 4) {
      problems.push({ path: `${at}.zones[${z}].polygon`, reason: `must have exactly 4 corners when distances are given (has ${zone.polygon.length})` });
    }
  });
  return problems;
}

/**
 * Validates a parsed config (from the file or a provisioning payload) against THE schema, filling
 * in defaults, after moving renamed keys to their current names. Never mutates its input. Lists
 * every problem, not just the first.
 */
export function validateConfig(input: unknown, renames: readonly KeyRename[] = CONFIG_RENAMES): ConfigResult {
  const candidate: unknown = structuredClone(input);
  const renamed = migrateConfig(candidate, renames);
  if (!validateSchema(candidate)) return { ok: false, problems: schemaProblems(validateSchema.errors) };
  const problems = semanticProblems(candidate);
  return problems.length ? { ok: false, problems } : { ok: true, config: candidate, renamed };
}

export function formatProblems(problems: ConfigProblem[]): string {
  return problems.map((p) => `  ${p.path}: ${p.reason}`).join('\n');
}

/** ajv's errors as problems by JSON path, each once. */
function schemaProblems(errors: readonly ErrorObject[] | null | undefined): ConfigProblem[] {
  const seen = new Set<string>();
  return (errors ?? []).map(describe).filter((p) => {
    const k = `${p.path}\u0000${p.reason}`;
    return seen.has(k) ? false : (seen.add(k), true);
  });
}
