import type { ChildProcess } from 'node:child_process';

/**
 * Ends a test helper process (broker, RTSP server) with `signal` and waits for its exit; one that
 * ignores SIGTERM is killed after `graceMs`. A process already gone resolves at once.
 */
export async function endChild(proc: ChildProcess | undefined, signal: NodeJS.Signals, graceMs = 5000): Promise<void> {
  if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
  const exited = new Promise<void>((r) => proc.once('exit', () => r()));
  proc.kill(signal);
  const timer = setTimeout(() => proc.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}
