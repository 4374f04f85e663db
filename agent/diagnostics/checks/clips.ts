/**
 * Can this box cut clips? A clip is remuxed by a gst-launch-1.0 child (agent/clips/remux.ts): the
 * tool and every element that pipeline may run (REMUX_ELEMENTS, the list the cutter itself uses)
 * must be installed. Not applicable when no enabled camera records.
 */
import type { AgentConfig } from '../../config/schema/index.js';
import { GST_LAUNCH, REMUX_ELEMENTS } from '../../clips/remux.js';
import { fail, pass, skip, type CheckGroup } from '../check-runner.js';
import { run } from '../exec.js';
import { GST_INSPECT_SLOW, installRemedy, missingElements } from './gstreamer.js';

export function clipChecks(config: AgentConfig, opts: { env?: NodeJS.ProcessEnv } = {}): CheckGroup {
  return {
    group: 'clips',
    timeoutMs: 45000,
    timeoutRemedy: GST_INSPECT_SLOW,
    steps: [
      { id: 'clips.launcher', title: 'gst-launch-1.0 (runs the clip remux)' },
      { id: 'clips.remux', title: 'elements the clip remux needs' },
    ],
    async run(r) {
      if (!config.cameras.some((c) => c.enabled && c.record.enabled)) return r.skipRest('no enabled camera records');
      const v = await run(GST_LAUNCH, ['--version'], { timeoutMs: 20000, env: opts.env });
      if (!v.ok) {
        r.report('clips.launcher', fail(null, v.missing ? `${GST_LAUNCH} is not installed: clips cannot be cut` : v.stderr.trim(), 'install gstreamer1.0-tools (scripts/install.sh does)'));
      } else {
        r.report('clips.launcher', pass(/version ([\d.]+)/.exec(v.stdout)?.[1] ?? v.stdout.trim().split('\n')[0]));
      }
      const missing = await missingElements(REMUX_ELEMENTS, opts.env);
      if (missing.length) {
        r.report('clips.remux', fail(`${REMUX_ELEMENTS.length - missing.length}/${REMUX_ELEMENTS.length}`, `missing ${missing.join(', ')}: clips cannot be cut`, `${installRemedy(missing).join('; ')} (scripts/install.sh installs the standard set)`));
      } else {
        r.report('clips.remux', pass(`${REMUX_ELEMENTS.length}/${REMUX_ELEMENTS.length}`, REMUX_ELEMENTS.join(' ')));
      }
    },
  };
}
