import { readFileSync } from 'node:fs';
import { AgentError } from '../core/errors.js';
import { redactUrlCredentials } from '../core/redact-url.js';

export { redactUrlCredentials };
import type { SecretRef } from './schema/index.js';

/** Resolves a secret reference at the moment it is needed, so it never sits in logs or health. */
export function resolveSecret(ref: SecretRef | undefined): string | undefined {
  if (ref === undefined) return undefined;
  if (typeof ref === 'string') return ref;
  if ('env' in ref) {
    const v = process.env[ref.env];
    if (v === undefined) throw new AgentError('SECRET_ENV_MISSING', `environment variable ${ref.env} is not set`, `set ${ref.env} in the service environment`);
    return v;
  }
  try {
    return readFileSync(ref.file, 'utf8').replace(/\r?\n$/, '');
  } catch (err) {
    throw new AgentError('SECRET_FILE_UNREADABLE', `cannot read secret file ${ref.file}`, 'check the path and that the agent user may read it', { cause: err });
  }
}

const SECRET_KEYS = new Set(['password', 'key', 'token', 'secret', 'privateKey']);

/** A deep copy with every secret replaced (secret keys, and credentials inside URLs), for config/get, logs and diagnostics. */
export function redactSecrets<T>(value: T): T {
  if (typeof value === 'string') return redactUrlCredentials(value) as T;
  if (Array.isArray(value)) return value.map((v) => redactSecrets(v)) as T;
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = SECRET_KEYS.has(k) && v !== undefined ? '[redacted]' : redactSecrets(v);
    return out as T;
  }
  return value;
}
