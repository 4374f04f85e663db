/**
 * Holds the latest desired config that was refused only because of the gateway clock (issuedAt
 * ahead, already expired) and hands it back for another check every `intervalMs`, until a newer
 * message supersedes it or a check ends differently. A box without RTC boots with a wrong clock and
 * refuses the retained config; once NTP has set the clock the same config is applied — without a
 * new push, and without using up its version in between.
 */
export class ClockDependentRetry {
  private pending?: { payload: Buffer; code: string };
  private timer?: NodeJS.Timeout;

  constructor(private readonly intervalMs: number, private readonly recheck: (payload: Buffer) => void) {}

  /** Keeps `payload` for re-checks; `code` is why it was refused now. */
  hold(payload: Buffer, code: string): void {
    this.pending = { payload, code };
    this.timer ??= setInterval(() => {
      if (this.pending) this.recheck(this.pending.payload);
    }, this.intervalMs).unref();
  }

  /** A re-check refused for the same reason again: nothing new to log or report. */
  isRepeat(payload: Buffer, code: string): boolean {
    return this.pending?.payload === payload && this.pending.code === code;
  }

  clear(): void {
    this.pending = undefined;
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }
}
