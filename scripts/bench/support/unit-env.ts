import { readFileSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '../../../test/support/tmp.js';

/**
 * The `Environment=` settings of the systemd unit the agent is installed with
 * (scripts/systemd/edge-agent.service), so a benchmark measures the agent as a box runs it (e.g.
 * glibc's MALLOC_MMAP_THRESHOLD_, which only takes effect when set before the process starts).
 */
export function unitEnvironment(): Record<string, string> {
  const unit = readFileSync(path.join(REPO_ROOT, 'scripts/systemd/edge-agent.service'), 'utf8');
  return Object.fromEntries([...unit.matchAll(/^Environment=([A-Za-z0-9_]+)=(.*)$/gm)].map((m) => [m[1], m[2]]));
}
