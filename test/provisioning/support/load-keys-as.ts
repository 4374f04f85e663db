/**
 * Loads a trust store or a bootstrap file as another (non-root) user, the way the installed service does:
 * `loadKeysAs(uid, gid, 'trust', ...paths)` / `loadKeysAs(uid, gid, 'bootstrap', file)`. Run as a script it is
 * the child: prints `{ kids }` or `{ code, message }`.
 */
import { spawnSync } from 'node:child_process';
import { AgentError } from '../../../agent/core/errors.js';
import { loadBootstrap } from '../../../agent/provisioning/bootstrap.js';
import { loadTrustStore } from '../../../agent/provisioning/trust-store.js';

export interface LoadOutcome { kids?: string[]; code?: string; message?: string }

export function loadKeysAs(uid: number, gid: number, what: 'trust' | 'bootstrap', ...paths: string[]): LoadOutcome {
  const run = spawnSync('setpriv', [`--reuid=${uid}`, `--regid=${gid}`, '--clear-groups', process.execPath, '--import', 'tsx', __filename, what, ...paths],
    { encoding: 'utf8', timeout: 60000 });
  const line = run.stdout.trim().split('\n').pop() ?? '';
  if (!line.startsWith('{')) throw new Error(`load as uid ${uid} printed nothing (exit ${String(run.status)}): ${run.stderr}`);
  return JSON.parse(line) as LoadOutcome;
}

if (require.main === module) {
  const [what, ...paths] = process.argv.slice(2);
  try {
    const keys = what === 'bootstrap' ? loadTrustStore(loadBootstrap(paths[0] ?? '').config.provisioning.trustedKeys) : loadTrustStore(paths);
    console.log(JSON.stringify({ kids: keys.map((k) => k.kid) } satisfies LoadOutcome));
  } catch (err) {
    const code = err instanceof AgentError ? err.code : 'THROWN';
    console.log(JSON.stringify({ code, message: (err as Error).message } satisfies LoadOutcome));
  }
}
