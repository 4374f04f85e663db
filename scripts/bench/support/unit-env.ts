import { readFileSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '../../../test/support/tmp.js';

function unitFile(): string {
  return readFileSync(path.join(REPO_ROOT, 'scripts/systemd/edge-agent.service'), 'utf8');
}

/**
 * The `Environment=` settings of the systemd unit the agent is installed with
 * (scripts/systemd/edge-agent.service), so a benchmark measures the agent as a box runs it (e.g.
 * glibc's MALLOC_MMAP_THRESHOLD_, which only takes effect when set before the process starts).
 */
export function unitEnvironment(): Record<string, string> {
  return Object.fromEntries([...unitFile().matchAll(/^Environment=([A-Za-z0-9_]+)=(.*)$/gm)].map((m) => [m[1], m[2]]));
}

/** The node options of a command line that starts the agent: the words between node and its script. */
export function nodeOptionsOf(commandLine: readonly string[]): string[] {
  const node = commandLine.findIndex((a) => /(^|\/)node$/.test(a));
  const script = commandLine.findIndex((a) => a.endsWith('dist/agent/cli/main.js'));
  return node >= 0 && script > node ? commandLine.slice(node + 1, script) : [];
}

/** The node options of the unit's `ExecStart=`. */
export function unitNodeFlags(): string[] {
  return nodeOptionsOf(/^ExecStart=(.*)$/m.exec(unitFile())?.[1].split(/\s+/) ?? []);
}
