/**
 * The one wait loop (after pulumi-kubernetes' await: the condition is separate from the loop). It polls
 * `condition` until nothing is pending, the time runs out, or the condition throws. Exits:
 *   - done: every job reached the wanted state (or failed for good, which the caller reports);
 *   - timeout: one last check, then WaitTimeoutError listing the jobs still pending;
 *   - error: the condition's error, unchanged.
 */
import { WaitTimeoutError } from "../errors";
import { count, type Progress } from "./progress";

export interface WaitSnapshot {
  /** Jobs not yet in the wanted state. */
  pending: string[];
  /** Jobs that will never reach it, with the reason (e.g. `job_cancel_fail`). */
  failed: Map<string, string>;
}

export const POLL_DEFAULTS = {
  /**
   * 100 ms: a stop the API answered a moment ago is often over by the next look (DLI and EHPC stops of idle jobs,
   * Spark cancels), and at 500 ms the first wait would be most of a small teardown's time. A stop
   * that takes minutes (a savepoint) costs only four more looks in its first two seconds: the interval is past
   * 500 ms by then, and grows to its ceiling from there.
   */
  firstIntervalMs: 100,
  maxIntervalMs: 10_000, // 10 s
  factor: 1.5,
} as const;

export interface AwaitOptions {
  condition: () => Promise<WaitSnapshot>;
  timeoutMs: number;
  /** Total number of jobs waited for, for progress lines. */
  total: number;
  /** "stopped", "cancelled": the verb of the progress line. */
  verb: string;
  service: string;
  progress: Progress;
  /** How a job still pending is named in the timeout's message: its ID and what the API last said of it. */
  describe?: (id: string) => string;
  firstIntervalMs?: number;
  maxIntervalMs?: number;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
}

/** A wait's timeout, with the short reason each job it names fails with ("not stopped after 20 s"). */
export class AwaitTimeoutError extends WaitTimeoutError {
  constructor(
    message: string,
    remaining: string[],
    context: { service: string },
    readonly summary: string,
  ) {
    super(message, remaining, context);
  }
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export async function awaitAll(options: AwaitOptions): Promise<WaitSnapshot> {
  const sleep = options.sleep ?? defaultSleep;
  const now = options.now ?? Date.now;
  const deadline = now() + options.timeoutMs;
  let interval = options.firstIntervalMs ?? POLL_DEFAULTS.firstIntervalMs;
  const maxInterval = options.maxIntervalMs ?? POLL_DEFAULTS.maxIntervalMs;
  for (;;) {
    const snapshot = await options.condition();
    const finished = options.total - snapshot.pending.length - snapshot.failed.size;
    options.progress.status(`${options.service}: ${options.verb} ${count(finished)} of ${count(options.total)} jobs`);
    if (snapshot.pending.length === 0) return snapshot;
    const left = deadline - now();
    if (left <= 0) {
      // Checked once more above at the deadline: still pending, so say which, and what the API last said of each.
      const describe = options.describe ?? ((id: string) => id);
      const shown = snapshot.pending.slice(0, 20).map(describe).join(", ");
      const more = snapshot.pending.length > 20 ? ` and ${snapshot.pending.length - 20} more` : "";
      const summary = `not ${options.verb} after ${Math.round(options.timeoutMs / 1000)} s`;
      throw new AwaitTimeoutError(
        `${options.service}: ${count(snapshot.pending.length)} of ${count(options.total)} jobs ${summary}: ${shown}${more}. ` +
          `They still exist; run the destroy again to keep waiting (or raise waitTimeoutSeconds).`,
        snapshot.pending,
        { service: options.service },
        summary,
      );
    }
    await sleep(Math.min(interval, left));
    interval = Math.min(interval * POLL_DEFAULTS.factor, maxInterval);
  }
}
