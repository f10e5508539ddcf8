/**
 * The HTTP layer's pieces that need no server (`provider/clients/http.ts`): the signing clock that adopts a server's
 * Date, `mapConcurrent` (bounded concurrency, order kept) and `chunk` (batches).
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { chunk, mapConcurrent, SigningClock } from "../provider/clients/http";

const ONE_HOUR_MS = 3_600_000;

describe("SigningClock", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it("adopts a skewed Date header and shifts now()", () => {
    vi.useFakeTimers({ now: Date.parse("2025-03-01T12:00:00Z") });
    const clock = new SigningClock();
    expect(clock.now().toISOString()).toBe("2025-03-01T12:00:00.000Z");
    expect(clock.syncFrom("Sat, 01 Mar 2025 13:00:00 GMT")).toBe(true);
    expect(clock.offsetMs).toBe(ONE_HOUR_MS);
    expect(clock.now().toISOString()).toBe("2025-03-01T13:00:00.000Z");
  });

  it.each([
    ["a missing header", undefined],
    ["an empty header", ""],
    ["a garbled header", "yesterday-ish"],
    ["a skew under 2 s", "Sat, 01 Mar 2025 12:00:01 GMT"],
  ])("ignores %s", (_name, header) => {
    vi.useFakeTimers({ now: Date.parse("2025-03-01T12:00:00Z") });
    const clock = new SigningClock();
    expect(clock.syncFrom(header)).toBe(false);
    expect(clock.offsetMs).toBe(0);
  });

  it("takes the first of repeated headers, and does not re-adopt the same skew", () => {
    vi.useFakeTimers({ now: Date.parse("2025-03-01T12:00:00Z") });
    const clock = new SigningClock();
    expect(clock.syncFrom(["Sat, 01 Mar 2025 11:00:00 GMT", "Sat, 01 Mar 2025 15:00:00 GMT"])).toBe(true);
    expect(clock.offsetMs).toBe(-ONE_HOUR_MS);
    expect(clock.syncFrom("Sat, 01 Mar 2025 11:00:00 GMT")).toBe(false);
  });
});

describe("mapConcurrent", () => {
  it("never has more than `limit` workers in flight and keeps the input order", async () => {
    let inFlight = 0;
    let peak = 0;
    const delays = [30, 5, 20, 1, 15, 0, 25, 3, 10, 8];
    const results = await mapConcurrent(delays, 3, async (ms, index) => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      await new Promise((resolve) => setTimeout(resolve, ms));
      inFlight--;
      return `${index}:${ms}`;
    });
    expect(peak).toBe(3);
    expect(results).toEqual(delays.map((ms, index) => `${index}:${ms}`));
  });

  it("runs each item exactly once", async () => {
    const calls: number[] = [];
    await mapConcurrent([0, 1, 2, 3, 4, 5, 6], 4, async (item) => {
      calls.push(item);
      await Promise.resolve();
    });
    expect(calls.sort()).toEqual([0, 1, 2, 3, 4, 5, 6]);
  });

  it.each([
    ["a limit above the item count", 10],
    ["a limit of 1 (sequential)", 1],
    ["a limit of 0 (treated as 1)", 0],
  ])("works with %s", async (_name, limit) => {
    let inFlight = 0;
    let peak = 0;
    const results = await mapConcurrent(["a", "b", "c"], limit, async (item) => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      await new Promise((resolve) => setTimeout(resolve, 1));
      inFlight--;
      return item.toUpperCase();
    });
    expect(results).toEqual(["A", "B", "C"]);
    expect(peak).toBe(Math.max(1, Math.min(limit, 3)));
  });

  it("returns [] for no items without calling the worker", async () => {
    const worker = vi.fn(async () => 1);
    await expect(mapConcurrent([], 5, worker)).resolves.toEqual([]);
    expect(worker).not.toHaveBeenCalled();
  });

  it("rejects with the worker's error", async () => {
    const failure = new Error("batch 2 failed");
    await expect(
      mapConcurrent([1, 2, 3], 2, async (n) => {
        if (n === 2) throw failure;
        return n;
      }),
    ).rejects.toBe(failure);
  });
});

describe("chunk", () => {
  it.each([
    [[1, 2, 3, 4, 5], 2, [[1, 2], [3, 4], [5]]],
    [[1, 2, 3, 4], 2, [[1, 2], [3, 4]]],
    [[1, 2, 3], 100, [[1, 2, 3]]],
    [[1, 2, 3], 1, [[1], [2], [3]]],
    [[], 3, []],
  ])("chunk(%j, %i) → %j", (items, size, expected) => {
    expect(chunk(items, size)).toEqual(expected);
  });

  // A size below 1 would loop forever: the list is guarded so the test fails instead of hanging.
  it.each([0, -1, 0.5, NaN])("refuses size %s rather than looping forever or returning wrong chunks", (size) => {
    let slices = 0;
    const guarded = Object.assign([1, 2, 3], {
      slice(this: number[], start?: number, end?: number) {
        if (++slices > 100) throw new Error("chunk kept slicing: it would never have returned");
        return Array.prototype.slice.call(this, start, end);
      },
    });
    let thrown: unknown;
    try {
      chunk(guarded, size);
    } catch (error) {
      thrown = error;
    }
    expect(slices, "slices taken before giving up").toBeLessThanOrEqual(100);
    expect(thrown).toBeInstanceOf(Error);
  });
});
