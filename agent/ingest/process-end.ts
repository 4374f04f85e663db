/**
 * How a gstreamer-superficial helper process (secret-launch.ts, the diag decode probe) ends, whatever is pending in it, and that it ends when the agent is gone
 * (clean stop, SIGKILL mid-stop, OOM kill): an orphaned camera would hold its camera's memory and
 * stream for good (issue 15 item 5).
 *
 * Never `process.exit`: it joins the libuv pool threads, and a pending appsink.pull()/pollBus() may
 * still hold one after the pipeline went to NULL (pollBus re-polls a bus nobody posts to), so the exit
 * can hang in a futex forever; with the agent gone, nobody kills it. Here the pipeline is set to NULL
 * (releases devices and streams), the last IPC messages get a moment to flush, and the process ends
 * with SIGKILL, which cannot hang; the agent reads what happened from its messages, not the exit code.
 * A worker thread kills the process if setting NULL itself blocks the main thread (a timer there could
 * not fire).
 */
import { Worker } from 'node:worker_threads';

const HARD_EXIT_MS = 1000;
/** The IPC channel's end is the usual signal; the parent PID changing catches the rest. */
const PARENT_CHECK_MS = 500;

let ending = false;

/** Runs `release` (pipeline to NULL), then ends the process after `flushMs`; at most HARD_EXIT_MS more if `release` blocks. */
export function endProcess(release: () => void, flushMs = 0): void {
  if (ending) return;
  ending = true;
  armHardExit(flushMs + HARD_EXIT_MS);
  try {
    release();
  } catch {
    // already torn down; the kill below ends us either way
  }
  if (flushMs <= 0) process.kill(process.pid, 'SIGKILL');
  else setTimeout(() => process.kill(process.pid, 'SIGKILL'), flushMs);
}

/** Ends the process (endProcess, no flush: nobody reads) as soon as the agent that forked it is gone. */
export function dieWithParent(release: () => void): void {
  const parent = process.ppid;
  const onParentGone = (): void => endProcess(release);
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
