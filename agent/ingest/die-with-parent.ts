/**
 * Ends a camera process when the agent is gone, however it went (clean stop, SIGKILL mid-stop, OOM
 * kill): an orphaned camera would hold its camera's memory and stream for good (issue 15 item 5).
 *
 * Why not `process.on('disconnect', () => process.exit(0))`: process.exit joins the libuv pool
 * threads, and a pending appsink.pull()/pollBus() holds one until the pipeline leaves PLAYING, so
 * the exit hangs in a futex forever. Here the pipeline is set to NULL first (that releases them) and
 * the process then ends with SIGKILL, which cannot hang; nobody is left to read its exit code. A
 * worker thread kills the process if setting NULL itself does not return within a second (a wedged
 * element blocks the main thread, so a timer there could not fire).
 */
import { Worker } from 'node:worker_threads';

const HARD_EXIT_MS = 1000;
/** The IPC channel's end is the usual signal; the parent PID changing catches the rest. */
const PARENT_CHECK_MS = 500;

export function dieWithParent(release: () => void): void {
  const parent = process.ppid;
  let gone = false;
  const onParentGone = (): void => {
    if (gone) return;
    gone = true;
    armHardExit(HARD_EXIT_MS);
    try {
      release();
    } catch {
      // already torn down; the kill below ends us either way
    }
    process.kill(process.pid, 'SIGKILL');
  };
  process.on('disconnect', onParentGone);
  setInterval(() => {
    if (process.ppid !== parent) onParentGone();
  }, PARENT_CHECK_MS).unref();
}

/** SIGKILLs this process after `ms` from a thread of its own, whatever the main thread is blocked in. */
function armHardExit(ms: number): void {
  const code = `Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ${ms}); process.kill(${process.pid}, 'SIGKILL');`;
  // No --import tsx: the worker runs this one line of plain JavaScript and must start fast.
  new Worker(code, { eval: true, execArgv: [] }).unref();
}
