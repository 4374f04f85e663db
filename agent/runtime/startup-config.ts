import { existsSync } from 'node:fs';
import { loadConfigFile } from '../config/load.js';
import type { AgentConfig } from '../config/schema/index.js';
import { AgentError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import { loadBootstrap } from '../provisioning/bootstrap.js';
import { LastGoodConfigStore } from '../provisioning/last-good-store.js';

/**
 * Which configuration the agent starts on, in order of precedence:
 *   1. the last known good configuration in dataDir (what last ran healthy: provisioned, or rolled
 *      back to) — so a restart after a rollback comes up on it;
 *   2. the config file (--config), when it exists;
 *   3. the bootstrap file (--bootstrap): broker and trust store only, until the first desired config.
 * dataDir itself comes from the config file, else the bootstrap file.
 */
export function chooseStartupConfig(opts: { config?: string; bootstrap?: string }, logger: Logger): { config: AgentConfig; source: string; version: number } {
  let base: AgentConfig | undefined;
  let source = '';
  if (opts.config && existsSync(opts.config)) {
    base = loadConfigFile(opts.config);
    source = opts.config;
  } else if (opts.bootstrap) {
    const b = loadBootstrap(opts.bootstrap);
    for (const w of b.warnings) logger.warn(w);
    base = b.config;
    source = opts.bootstrap;
  } else if (opts.config) {
    // Surfaces the usual CONFIG_UNREADABLE error with its remedy.
    base = loadConfigFile(opts.config);
  }
  if (!base) throw new AgentError('CONFIG_MISSING', 'no configuration given', 'pass --config FILE or --bootstrap FILE');
  const lastGood = new LastGoodConfigStore(base.gateway.dataDir).load();
  if (lastGood) return { config: lastGood.config, version: lastGood.version, source: `last-good config v${lastGood.version} in ${base.gateway.dataDir}` };
  return { config: base, source, version: 0 };
}
