/**
 * Can this box cut clips? A clip is remuxed by a gst-launch-1.0 child (agent/clips/remux.ts): the
 * tool and every element that pipeline may run (REMUX_ELEMENTS, the list the cutter itself uses)
 * must be installed. Not applicable when no enabled camera records.
 */
import type { AgentConfig } from '../../config/schema/index.js';
import { REMUX_ELEMENTS } from '../../clips/remux.js';
import { GST_LAUNCH } from '../../core/gst-launch.js';
import type { CheckGroup } from '../check-runner.js';
import { elementsStep, GST_INSPECT_SLOW, gstToolVersion, installRemedy } from './gstreamer.js';

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
      r.report('clips.launcher', await gstToolVersion(GST_LAUNCH, opts.env, { detail: `${GST_LAUNCH} is not installed: clips cannot be cut`, remedy: 'install gstreamer1.0-tools (scripts/install.sh does)' }));
      r.report('clips.remux', await elementsStep(REMUX_ELEMENTS, opts.env, (missing) => missing.length
        ? { detail: `missing ${missing.join(', ')}: clips cannot be cut`, remedy: `${installRemedy(missing).join('; ')} (scripts/install.sh installs the standard set)` }
        : undefined));
    },
  };
}
