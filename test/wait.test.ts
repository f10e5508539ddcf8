/**
 * The wait loop (`provider/wait/await-gone.ts`) and progress output (`provider/wait/progress.ts`), with an
 * injected clock: every interval, deadline and dropped line is exact.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { WaitTimeoutError } from "../provider/errors";
import { awaitAll, POLL_DEFAULTS, type AwaitOptions, type WaitSnapshot } from "../provider/wait/await-gone";
import { count, dedupedProgress, STATUS_MIN_INTERVAL_MS, type Progress } from "../provider/wait/progress";

/** A progress sink that records every line it is given. */
function recordingSink() {
  const lines = { log: [] as string[], status: [] as string[], warn: [] as string[] };
  const sink: Progress = {
    log: (m) => lines.log.push(m),
    status: (m) => lines.status.push(m),
    warn: (m) => lines.warn.push(m),
  };
  return { sink, lines };
}

/** A fake clock: `sleep` advances `now` and records how long each sleep was. */
function fakeClock(start = 1_000_000) {
  let t = start;
  const sleeps: number[] = [];
  return {
    now: () => t,
    sleep: async (ms: number) => {
      sleeps.push(ms);
      t += ms;
    },
    sleeps,
    elapsed: () => t - start,
  };
}

const snapshot = (pending: string[], failed: Array<[string, string]> = []): WaitSnapshot => ({ pending, failed: new Map(failed) });

/** A condition answering from a script, one snapshot per check (the last one repeats), recording when it ran. */
function scriptedCondition(clock: { now(): number }, script: WaitSnapshot[]) {
  const checkedAt: number[] = [];
  const condition = async () => {
    checkedAt.push(clock.now());
    return script[Math.min(checkedAt.length - 1, script.length - 1)]!;
  };
  return { condition, checkedAt };
}

function options(clock: ReturnType<typeof fakeClock>, condition: AwaitOptions["condition"], overrides: Partial<AwaitOptions> = {}): AwaitOptions {
  return {
    condition,
    timeoutMs: 60_000,
    total: 3,
    verb: "stopped",
    service: "dli-flink",
    progress: recordingSink().sink,
    sleep: clock.sleep,
    now: clock.now,
    ...overrides,
  };
}

describe("dedupedProgress", () => {
  it("drops a log line that repeats the previous one", () => {
    const { sink, lines } = recordingSink();
    const progress = dedupedProgress(sink, 2_000, () => 0);
    for (const m of ["a", "a", "b", "b", "b", "a"]) progress.log(m);
    expect(lines.log).toEqual(["a", "b", "a"]);
  });

  it("drops a status line that repeats the last one shown, however late", () => {
    let t = 0;
    const { sink, lines } = recordingSink();
    const progress = dedupedProgress(sink, 2_000, () => t);
    progress.status("stopped 1 of 3");
    t = 10_000;
    progress.status("stopped 1 of 3");
    expect(lines.status).toEqual(["stopped 1 of 3"]);
  });

  it("spaces status lines at least minIntervalMs apart", () => {
    let t = 0;
    const { sink, lines } = recordingSink();
    const progress = dedupedProgress(sink, 2_000, () => t);
    const at = (ms: number, message: string) => {
      t = ms;
      progress.status(message);
    };
    at(0, "0 of 9");
    at(500, "1 of 9"); // dropped: too soon
    at(1_999, "2 of 9"); // dropped: too soon
    at(2_000, "3 of 9"); // shown: exactly the interval
    at(2_100, "4 of 9"); // dropped
    at(4_100, "4 of 9"); // shown: a dropped line is not remembered as shown
    expect(lines.status).toEqual(["0 of 9", "3 of 9", "4 of 9"]);
  });

  it("uses STATUS_MIN_INTERVAL_MS by default", () => {
    let t = 0;
    const { sink, lines } = recordingSink();
    const progress = dedupedProgress(sink, undefined, () => t);
    progress.status("a");
    t = STATUS_MIN_INTERVAL_MS - 1;
    progress.status("b");
    t = STATUS_MIN_INTERVAL_MS;
    progress.status("c");
    expect(lines.status).toEqual(["a", "c"]);
  });

  // progress.ts says a dropped status line "still shows at the next tick": the last line of a wait
  // ("stopped 3 of 3") usually comes < 2 s after the one before, and must not be lost.
  it("shows the latest dropped status line once the interval has passed", async () => {
    vi.useFakeTimers();
    try {
      const { sink, lines } = recordingSink();
      const progress = dedupedProgress(sink, 2_000);
      progress.status("stopped 1 of 3 jobs");
      await vi.advanceTimersByTimeAsync(500);
      progress.status("stopped 3 of 3 jobs");
      await vi.advanceTimersByTimeAsync(2_000);
      expect(lines.status).toEqual(["stopped 1 of 3 jobs", "stopped 3 of 3 jobs"]);
    } finally {
      vi.useRealTimers();
    }
  });

  it("flush() shows the held status line at once: the end of a set's operation never loses its last line", () => {
    let t = 0;
    const { sink, lines } = recordingSink();
    const progress = dedupedProgress(sink, 2_000, () => t);
    progress.status("stopped 1 of 3 jobs");
    t = 100;
    progress.status("stopped 3 of 3 jobs");
    expect(lines.status).toEqual(["stopped 1 of 3 jobs"]);
    progress.flush();
    expect(lines.status).toEqual(["stopped 1 of 3 jobs", "stopped 3 of 3 jobs"]);
    progress.flush();
    expect(lines.status).toHaveLength(2);
  });

  it("a permanent line shows the held status line first, so lines keep their order", () => {
    let t = 0;
    const order: string[] = [];
    const progress = dedupedProgress({ log: (m) => order.push(`log ${m}`), status: (m) => order.push(`status ${m}`), warn: (m) => order.push(`warn ${m}`) }, 2_000, () => t);
    progress.status("stopped 1 of 3 jobs");
    t = 100;
    progress.status("stopped 3 of 3 jobs");
    progress.log("3 jobs torn down");
    expect(order).toEqual(["status stopped 1 of 3 jobs", "status stopped 3 of 3 jobs", "log 3 jobs torn down"]);
  });

  it("never drops a warning", () => {
    const { sink, lines } = recordingSink();
    const progress = dedupedProgress(sink, 2_000, () => 0);
    progress.warn("finalizers");
    progress.warn("finalizers");
    expect(lines.warn).toEqual(["finalizers", "finalizers"]);
  });

  it("log and status do not drop each other's lines", () => {
    const { sink, lines } = recordingSink();
    const progress = dedupedProgress(sink, 2_000, () => 0);
    progress.status("x");
    progress.log("x");
    expect(lines).toMatchObject({ status: ["x"], log: ["x"] });
  });

  it("count() groups thousands", () => {
    expect([count(0), count(999), count(1_200), count(1_234_567)]).toEqual(["0", "999", "1,200", "1,234,567"]);
  });
});

describe("awaitAll", () => {
  it("returns at once when nothing is pending", async () => {
    const clock = fakeClock();
    const done = snapshot([], [["7", "job_cancel_fail"]]);
    const { condition, checkedAt } = scriptedCondition(clock, [done]);
    await expect(awaitAll(options(clock, condition))).resolves.toBe(done);
    expect(checkedAt).toHaveLength(1);
    expect(clock.sleeps).toEqual([]);
  });

  it("polls until nothing is pending, backing off by the factor up to maxIntervalMs", async () => {
    const clock = fakeClock();
    const script = [snapshot(["1", "2", "3"]), snapshot(["1", "2"]), snapshot(["2"]), snapshot(["2"]), snapshot(["2"]), snapshot(["2"]), snapshot([])];
    const { condition, checkedAt } = scriptedCondition(clock, script);
    const result = await awaitAll(options(clock, condition, { firstIntervalMs: 100, maxIntervalMs: 300 }));
    expect(result.pending).toEqual([]);
    expect(checkedAt).toHaveLength(7);
    expect(clock.sleeps).toEqual([100, 150, 225, 300, 300, 300]);
  });

  it("uses POLL_DEFAULTS when no intervals are given", async () => {
    const clock = fakeClock();
    const { condition } = scriptedCondition(clock, [...Array(14).fill(snapshot(["1"])), snapshot([])]);
    await awaitAll(options(clock, condition, { timeoutMs: 3_600_000 }));
    expect(clock.sleeps[0]).toBe(POLL_DEFAULTS.firstIntervalMs);
    expect(clock.sleeps[1]).toBe(POLL_DEFAULTS.firstIntervalMs * POLL_DEFAULTS.factor);
    expect(Math.max(...clock.sleeps)).toBe(POLL_DEFAULTS.maxIntervalMs);
  });

  it("reports progress as status lines", async () => {
    const clock = fakeClock();
    const { sink, lines } = recordingSink();
    const { condition } = scriptedCondition(clock, [snapshot(["1", "2", "3"]), snapshot(["3"]), snapshot([])]);
    await awaitAll(options(clock, condition, { progress: sink }));
    expect(lines.status).toEqual(["dli-flink: stopped 0 of 3 jobs", "dli-flink: stopped 2 of 3 jobs", "dli-flink: stopped 3 of 3 jobs"]);
  });

  it("does not count jobs that failed for good as done in progress lines", async () => {
    const clock = fakeClock();
    const { sink, lines } = recordingSink();
    const { condition } = scriptedCondition(clock, [snapshot([], [["103", "job_cancel_fail"]])]);
    await awaitAll(options(clock, condition, { progress: sink }));
    expect(lines.status).toEqual(["dli-flink: stopped 2 of 3 jobs"]);
  });

  it("times out after one last check at the deadline, with a WaitTimeoutError listing the pending jobs", async () => {
    const clock = fakeClock();
    const start = clock.now();
    const { condition, checkedAt } = scriptedCondition(clock, [snapshot(["101", "102", "103"]), snapshot(["102", "103"])]);
    const error = await awaitAll(options(clock, condition, { timeoutMs: 1_000, firstIntervalMs: 300 })).then(
      () => expect.unreachable("awaitAll resolved"),
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(WaitTimeoutError);
    const timeout = error as WaitTimeoutError;
    expect(timeout.remaining).toEqual(["102", "103"]);
    expect(timeout.service).toBe("dli-flink");
    expect(timeout.message).toContain("102, 103");
    expect(timeout.message).toMatch(/^dli-flink: 2 of 3 jobs not stopped after 1 s/);
    expect(timeout.message).not.toContain("101");
    // Never sleeps past the deadline; the last sleep is trimmed and the last check runs at the deadline.
    expect(clock.sleeps).toEqual([300, 450, 250]);
    expect(checkedAt.at(-1)).toBe(start + 1_000);
    expect(checkedAt).toHaveLength(4);
  });

  it("succeeds when the last check at the deadline finds nothing pending", async () => {
    const clock = fakeClock();
    const start = clock.now();
    const condition = async () => (clock.now() >= start + 1_000 ? snapshot([]) : snapshot(["1"]));
    await expect(awaitAll(options(clock, condition, { timeoutMs: 1_000, firstIntervalMs: 400 }))).resolves.toMatchObject({ pending: [] });
    expect(clock.elapsed()).toBe(1_000);
  });

  it("with no time at all, checks once and then times out", async () => {
    const clock = fakeClock();
    const { condition, checkedAt } = scriptedCondition(clock, [snapshot(["9"])]);
    await expect(awaitAll(options(clock, condition, { timeoutMs: 0, total: 1 }))).rejects.toBeInstanceOf(WaitTimeoutError);
    expect(checkedAt).toHaveLength(1);
    expect(clock.sleeps).toEqual([]);
  });

  it("names the first 20 pending jobs and counts the rest", async () => {
    const clock = fakeClock();
    const pending = Array.from({ length: 25 }, (_, i) => String(1_000 + i));
    const { condition } = scriptedCondition(clock, [snapshot(pending)]);
    const error = (await awaitAll(options(clock, condition, { timeoutMs: 0, total: 1_500 })).catch((e: unknown) => e)) as WaitTimeoutError;
    expect(error).toBeInstanceOf(WaitTimeoutError);
    expect(error.remaining).toEqual(pending);
    expect(error.message).toContain(`${pending.slice(0, 20).join(", ")} and 5 more`);
    expect(error.message).not.toContain("1020");
    expect(error.message).toContain("25 of 1,500 jobs");
  });

  it("lets a condition error through unchanged, without retrying it", async () => {
    const clock = fakeClock();
    const failure = new Error("DLI.0005: job list failed");
    let calls = 0;
    const condition = async (): Promise<WaitSnapshot> => {
      calls++;
      if (calls === 3) throw failure;
      return snapshot(["1"]);
    };
    await expect(awaitAll(options(clock, condition))).rejects.toBe(failure);
    expect(calls).toBe(3);
  });

  describe("with the default sleep and clock (fake timers)", () => {
    afterEach(() => {
      vi.useRealTimers();
    });

    it("waits on real timers and times out at the deadline", async () => {
      vi.useFakeTimers();
      const started = Date.now();
      let checks = 0;
      const promise = awaitAll({
        condition: async () => {
          checks++;
          return snapshot(["42"]);
        },
        timeoutMs: 5_000,
        total: 1,
        verb: "cancelled",
        service: "ehpc",
        progress: recordingSink().sink,
      });
      const outcome = promise.catch((e: unknown) => e);
      await vi.advanceTimersByTimeAsync(5_000);
      const error = await outcome;
      expect(error).toBeInstanceOf(WaitTimeoutError);
      expect((error as WaitTimeoutError).message).toMatch(/^ehpc: 1 of 1 jobs not cancelled after 5 s: 42\./);
      expect(Date.now() - started).toBe(5_000);
      // 100, 150, 225, 337.5, 506.25, 759.4, 1139.1, 1708.6, then the 74.2 left: nine sleeps, ten checks.
      expect(checks).toBe(10);
    });
  });
});
