/**
 * What the benchmark counts in the emulator's record of the calls it answered: requests by operation, how many were in
 * flight at once, and the most arrivals within any window (the rate-limit tests use it on grant times too).
 */
import type { RecordedCall } from "../emulator";

export function countByOp(calls: readonly RecordedCall[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const call of calls) counts[call.op] = (counts[call.op] ?? 0) + 1;
  return counts;
}

/** The most requests the emulator saw in flight at once (from arrival to answer). */
export function peakInFlight(calls: readonly RecordedCall[]): number {
  const events = calls.flatMap((call) => [[call.at, 1] as const, [call.answeredAt, -1] as const]).sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let now = 0;
  let peak = 0;
  for (const [, delta] of events) {
    now += delta;
    peak = Math.max(peak, now);
  }
  return peak;
}

/** The most arrivals in any window of `windowMs` (half-open: [t, t + windowMs)). */
export function maxInWindow(arrivals: readonly number[], windowMs: number): number {
  const sorted = [...arrivals].sort((a, b) => a - b);
  let max = 0;
  for (let last = 0, first = 0; last < sorted.length; last++) {
    while (sorted[last]! - sorted[first]! >= windowMs) first++;
    max = Math.max(max, last - first + 1);
  }
  return max;
}
