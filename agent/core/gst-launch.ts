/**
 * What every `gst-launch-1.0` child of the agent shares (cameras, clip cuts, the snapshot JPEG encoder): the
 * tool's name, GStreamer's reason from its stderr, and a launch that dies with the agent.
 */
import { accessSync, constants } from 'node:fs';
import path from 'node:path';

export const GST_LAUNCH = process.env.EDGE_GST_LAUNCH ?? 'gst-launch-1.0';

/** GStreamer's own reason from gst-launch's stderr ("ERROR: from element ...: <reason>"). */
export function gstReason(stderr: string, fallback: string): string {
  const m = /ERROR: from element [^:]*:\s*(.+)/.exec(stderr);
  return (m?.[1] ?? stderr.trim().split('\n').pop() ?? '').trim() || fallback;
}

function onPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    const file = path.join(dir || '.', name);
    try {
      accessSync(file, constants.X_OK);
      return file;
    } catch {
      // not in this directory
    }
  }
  return undefined;
}

/** util-linux's setpriv (in every distribution the agent installs on); looked up once. */
let setpriv: string | null | undefined;

/**
 * The command and arguments that run `command` so the kernel kills it (SIGKILL) when the agent dies,
 * even by SIGKILL: `setpriv --pdeathsig KILL --` execs it in place (same pid, no process between).
 * A long-lived child must not outlive a crashed agent holding its memory. Without setpriv the
 * command runs plainly (it then leaves on end of input, as it does when the agent closes it).
 */
export function dyingWithAgent(command: string, args: readonly string[]): { command: string; args: string[] } {
  if (setpriv === undefined) setpriv = onPath('setpriv') ?? null;
  return setpriv ? { command: setpriv, args: ['--pdeathsig', 'KILL', '--', command, ...args] } : { command, args: [...args] };
}

/**
 * Spawn option for long-lived children: a process group of their own. A terminal's Ctrl-C (or
 * `timeout`) signals the whole foreground group, and a child stopped that way would end before the
 * agent's own orderly stop (a camera's closing EOS, the last events' snapshots). The agent decides
 * how its children stop; the kernel's parent-death signal still ends them with it.
 */
export const OWN_PROCESS_GROUP = { detached: true } as const;
