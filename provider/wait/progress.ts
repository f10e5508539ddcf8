/**
 * Progress of long teardowns. `log` is permanent (the user keeps it), `status` is transient; both drop
 * exact repeats, and `status` is rate-limited so a 10,000-job teardown prints a handful of lines,
 * not thousands.
 */

export interface Progress {
  log(message: string): void;
  status(message: string): void;
  warn(message: string): void;
  /** For a sink that delivers its lines later (the engine's log): resolves once every line given so far is. */
  settled?(): Promise<void>;
}

/** Status lines closer together than this are dropped (the latest one still shows at the next tick). */
export const STATUS_MIN_INTERVAL_MS = 2_000; // 2 s

export const silentProgress: Progress = { log() {}, status() {}, warn() {} };

/** Progress whose held status line can be shown at once: when the operation it reports on ends. */
export interface ThrottledProgress extends Progress {
  flush(): void;
}

/**
 * Wraps a sink so repeats are dropped and status lines are spaced out. A status line that arrives too
 * soon is held, and the latest held line is shown when the interval has passed (a trailing flush), when a
 * permanent line comes (so lines keep their order), or at `flush()`, so the final "stopped 5,000 of 5,000"
 * is never lost. One throttle serves one set's operation: sets sharing one would hold, and then replace,
 * each other's last lines.
 */
export function dedupedProgress(sink: Progress, minIntervalMs = STATUS_MIN_INTERVAL_MS, now: () => number = Date.now): ThrottledProgress {
  let lastLog: string | undefined;
  let lastStatus: string | undefined;
  let lastStatusAt = -Infinity;
  let held: string | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const show = (message: string) => {
    held = undefined;
    lastStatus = message;
    lastStatusAt = now();
    sink.status(message);
  };
  const flush = () => {
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
    if (held !== undefined) show(held);
  };
  return {
    log(message) {
      flush();
      if (message === lastLog) return;
      lastLog = message;
      sink.log(message);
    },
    status(message) {
      if (message === lastStatus) {
        held = undefined;
        return;
      }
      const wait = lastStatusAt + minIntervalMs - now();
      if (wait <= 0) return show(message);
      held = message;
      timer ??= setTimeout(() => {
        timer = undefined;
        if (held !== undefined) show(held);
      }, wait);
      // A held progress line must never keep the provider process alive.
      timer.unref?.();
    },
    warn(message) {
      flush();
      sink.warn(message);
    },
    flush,
  };
}

/** "1,200" rather than "1200": these lines are read by people watching a destroy. */
export function count(n: number): string {
  return n.toLocaleString("en-US");
}
