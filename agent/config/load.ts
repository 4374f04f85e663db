import { readFileSync } from 'node:fs';
import path from 'node:path';
import { AgentError } from '../core/errors.js';
import type { AppliedRename } from './migrate.js';
import { formatProblems, validateConfig, type ConfigProblem } from './validate.js';
import type { AgentConfig } from './schema/index.js';

export class ConfigInvalidError extends AgentError {
  constructor(readonly source: string, readonly problems: ConfigProblem[]) {
    super('CONFIG_INVALID', `${source} is invalid:\n${formatProblems(problems)}`, 'fix the listed keys; `edge-agent check-config FILE` checks without running');
  }
}

/**
 * Reads, parses and validates a config file; relative file-camera paths resolve from its folder.
 * Keys an older agent version used are moved to their new names first (`onRenamed` hears which).
 */
export function loadConfigFile(file: string, onRenamed?: (renamed: AppliedRename[]) => void): AgentConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new AgentError('CONFIG_UNREADABLE', `cannot read config file ${file}: ${(err as Error).message}`, 'check the --config path', { cause: err });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new ConfigInvalidError(file, [{ path: '$', reason: `not valid JSON: ${(err as Error).message}` }]);
  }
  const result = validateConfig(parsed);
  if (!result.ok) throw new ConfigInvalidError(file, result.problems);
  if (result.renamed.length) onRenamed?.(result.renamed);
  return resolveRelativePaths(result.config, path.dirname(path.resolve(file)));
}

export function resolveRelativePaths(config: AgentConfig, baseDir: string): AgentConfig {
  for (const cam of config.cameras) {
    if (cam.source.kind === 'file') cam.source.path = path.resolve(baseDir, cam.source.path);
  }
  config.provisioning.trustedKeys = config.provisioning.trustedKeys.map((k) => path.resolve(baseDir, k));
  config.gateway.dataDir = path.resolve(baseDir, config.gateway.dataDir);
  return config;
}
