import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { loadConfigFile } from '../config/load.js';
import type { AppliedRename } from '../config/migrate.js';
import type { AgentConfig } from '../config/schema/index.js';
import { AgentError, toErrorInfo } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import { loadBootstrap } from '../provisioning/bootstrap.js';
import { configHash } from '../provisioning/config-hash.js';
import { LastGoodConfigStore, type LastGoodConfig } from '../provisioning/last-good-store.js';

export type StartupSource = 'last-good' | 'previous' | 'file' | 'bootstrap';

/** A configuration the agent can start on. `key` names it in the boot-attempt counts (source + content). */
export interface StartupCandidate {
  source: StartupSource;
  /** The file it came from, for logs and status. */
  origin: string;
  config: AgentConfig;
  version: number;
  key: string;
}

/** A configuration passed over at start, and why (a code a technician can act on). */
export interface SkippedStartup {
  source: StartupSource;
  code: string;
  message: string;
}

/** What runs, for `status` and `health`: the source, and what was passed over to get there. */
export interface StartupInfo {
  source: StartupSource;
  origin: string;
  version: number;
  /** 1 on the first boot of this config; more when earlier boots of it did not become stable. */
  bootAttempt: number;
  skipped: SkippedStartup[];
}

/**
 * The configurations the agent may start on, best first:
 *   1. the last known good configuration in dataDir (what last ran healthy after a push);
 *   2. the previous last-good (when the newest does not load, or keeps failing to boot);
 *   3. the config file (--config), when it exists;
 *   4. the bootstrap file (--bootstrap): broker and trust store only, until the first desired config.
 * One that does not load is listed in `skipped` with its code, never fatal while another loads.
 * `bootstrap: 'without-file'` reads the bootstrap file only when the config file does not load.
 * dataDir comes from the config file (even an invalid one, if it names it), else the bootstrap file.
 */
export function startupCandidates(opts: { config?: string; bootstrap?: string }, logger: Logger, bootstrap: 'always' | 'without-file' = 'always'): { dataDir: string; candidates: StartupCandidate[]; skipped: SkippedStartup[] } {
  const candidates: StartupCandidate[] = [];
  const skipped: SkippedStartup[] = [];
  const skip = (source: StartupSource, err: unknown): void => {
    const e = toErrorInfo(err, 'AGENT_START_FAILED');
    skipped.push({ source, code: e.code, message: e.message });
    logger.warn({ source, err: e }, `start-up config ${source} passed over`);
  };
  const add = (source: StartupSource, origin: string, config: AgentConfig, version: number): void => {
    candidates.push({ source, origin, config, version, key: `${source}:${configHash(config)}` });
  };
  let loadError: unknown;
  if (opts.config && existsSync(opts.config)) {
    try {
      add('file', opts.config, loadConfigFile(opts.config, (renamed) => logRenames(logger, opts.config ?? '', renamed)), 0);
    } catch (err) {
      loadError = err;
      skip('file', err);
    }
  } else if (opts.config && !opts.bootstrap) {
    // Surfaces the usual CONFIG_UNREADABLE error with its remedy.
    loadConfigFile(opts.config);
  }
  // Loading it writes its trust keys and TLS files into dataDir: diag (every minute in Docker) asks only when it must.
  if (opts.bootstrap && (bootstrap === 'always' || !candidates.length)) {
    try {
      const b = loadBootstrap(opts.bootstrap);
      for (const w of b.warnings) logger.warn(w);
      add('bootstrap', opts.bootstrap, b.config, 0);
    } catch (err) {
      loadError ??= err;
      skip('bootstrap', err);
    }
  }
  const dataDir = candidates[0]?.config.gateway.dataDir ?? (opts.config ? dataDirNamedIn(opts.config) : undefined);
  const nothing = (): unknown => loadError ?? new AgentError('CONFIG_MISSING', 'no configuration given', 'pass --config FILE or --bootstrap FILE');
  if (!dataDir) throw nothing();
  const store = new LastGoodConfigStore(dataDir);
  const stored: Array<[StartupSource, string, () => LastGoodConfig | undefined]> = [
    ['previous', store.previousFile, () => store.loadPrevious()],
    ['last-good', store.file, () => store.load()],
  ];
  for (const [source, file, load] of stored) {
    try {
      const lastGood = load();
      if (!lastGood) continue;
      logRenames(logger, file, lastGood.renamed);
      candidates.unshift({ source, origin: file, config: lastGood.config, version: lastGood.version, key: `${source}:${lastGood.configHash}` });
    } catch (err) {
      skip(source, err);
    }
  }
  if (!candidates.length) throw nothing();
  return { dataDir, candidates, skipped };
}

/** The configuration a start would try first (for `diag`, which does not count boots). */
export function chooseStartupConfig(opts: { config?: string; bootstrap?: string }, logger: Logger): { config: AgentConfig; source: string; version: number } {
  const first = startupCandidates(opts, logger, 'without-file').candidates[0];
  return { config: first.config, version: first.version, source: describeCandidate(first) };
}

export function describeCandidate(c: Pick<StartupCandidate, 'source' | 'origin' | 'version'>): string {
  return c.source === 'last-good' || c.source === 'previous' ? `${c.source} config v${c.version} in ${path.dirname(path.dirname(c.origin))}` : c.origin;
}

function logRenames(logger: Logger, file: string, renamed: AppliedRename[]): void {
  for (const r of renamed) logger.warn({ file, from: r.from, to: r.to, since: r.since }, 'config key renamed since it was written; moved to its new name');
}

/** gateway.dataDir of a config file that does not pass the schema, so its last-good can still be found. */
function dataDirNamedIn(file: string): string | undefined {
  try {
    const dir = (JSON.parse(readFileSync(file, 'utf8')) as { gateway?: { dataDir?: unknown } }).gateway?.dataDir;
    return typeof dir === 'string' ? path.resolve(path.dirname(path.resolve(file)), dir) : undefined;
  } catch {
    return undefined;
  }
}
