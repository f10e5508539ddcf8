/**
 * The lower bound of a teardown: the fewest requests the APIs allow, at the concurrency used, times the latency.
 *
 *   LB = max(⌈R_min / K⌉ × L, 4·L + D)
 *
 * - R_min, the fewest requests, counts what no client can skip:
 *   - per listing (the Flink project, the Spark project, the MRS cluster, the EHPC cluster): one page per 100
 *     members for the snapshot, and one per 100 members waited for (stopped, cancelled, killed) to confirm they
 *     have ended. Both reads are in the bound because correctness needs them: the snapshot is how jobs already
 *     gone are never sent again (issue 2), the confirmation is how a destroy knows a stop is over (a stop is
 *     asynchronous in every API). Pages are counted as if members filled them and several sets shared one
 *     read of their common list: the least any client could read;
 *   - per set: one call per `B` IDs for each batch operation (Flink stop and delete, MRS delete, EHPC stop and
 *     delete; `B` is the emulator's maximum batch size), and one call per job where the API has no batch call
 *     (DLI Spark cancel, MRS kill).
 * - K: requests in flight at once, the provider's connections per endpoint (the emulator is one endpoint; the
 *   real DLI, MRS and EHPC are three).
 * - L: the emulator's latency per request; D: the time a stop takes to complete (the emulator's stop delay).
 * - 4·L + D is the longest chain of calls that must follow one another (snapshot → stop → wait D → confirm →
 *   delete): no amount of concurrency makes a teardown shorter than that.
 * Host start-up, CPU time and the wait loop's poll intervals are not in it: they are what the measurement adds.
 */
import type { BenchSet, GroupName, Workload } from "./workload";

/** Page size of every list the provider reads (DLI Flink and EHPC document ≤ 100; DLI Spark's default is 100; MRS's list is read 100 a page). */
export const LIST_PAGE_SIZE = 100;

export interface LowerBoundParams {
  latencyMs: number;
  /** Requests in flight at once: connections per endpoint. */
  concurrency: number;
  /** IDs per batch call the API allows. */
  batchSize: number;
  /** Time a stop (cancel, kill) takes to complete, in ms. */
  stopDelayMs: number;
}

export interface LowerBound {
  requests: number;
  /** R_min by kind of call. */
  requestsByPhase: { listPages: number; batchCalls: number; perJobCalls: number };
  /** ⌈R_min / K⌉ × L. */
  throughputMs: number;
  /** 4·L + D. */
  chainMs: number;
  ms: number;
}

export const LOWER_BOUND_FORMULA =
  "LB = max(⌈R_min / K⌉ × L, 4·L + D); R_min = Σ listings (⌈members / 100⌉ snapshot pages + ⌈members waited for / 100⌉ confirm pages) " +
  "+ Σ sets (⌈n / B⌉ per batch operation + n per per-job call: Spark cancel, MRS kill); K = connections per endpoint, " +
  "L = latency, B = the API's batch limit, D = stop delay";

/** Batch operations and per-job calls of one set. */
function setCalls(set: BenchSet, batchSize: number): { batch: number; perJob: number } {
  const batches = Math.ceil(set.ids.length / batchSize);
  const byGroup: Record<GroupName, { batch: number; perJob: number }> = {
    "flink-delete": { batch: batches, perJob: 0 },
    "flink-stop": { batch: batches, perJob: 0 },
    "flink-stop-then-delete": { batch: 2 * batches, perJob: 0 },
    spark: { batch: 0, perJob: set.ids.length },
    mrs: { batch: batches, perJob: set.ids.length },
    ehpc: { batch: 2 * batches, perJob: 0 },
  };
  return byGroup[set.group];
}

/** Whether a group's teardown waits for its jobs to end (and so reads their listing again). */
function waits(group: GroupName): boolean {
  return group !== "flink-delete";
}

export function lowerBound(workload: Workload, params: LowerBoundParams): LowerBound {
  const listings = new Map<string, { members: number; waited: number }>();
  let batchCalls = 0;
  let perJobCalls = 0;
  for (const set of workload.sets) {
    const listing = listings.get(set.kind) ?? { members: 0, waited: 0 };
    listing.members += set.ids.length;
    if (waits(set.group)) listing.waited += set.ids.length;
    listings.set(set.kind, listing);
    const calls = setCalls(set, params.batchSize);
    batchCalls += calls.batch;
    perJobCalls += calls.perJob;
  }
  let listPages = 0;
  for (const { members, waited } of listings.values()) listPages += Math.ceil(members / LIST_PAGE_SIZE) + Math.ceil(waited / LIST_PAGE_SIZE);
  const requests = listPages + batchCalls + perJobCalls;
  const throughputMs = Math.ceil(requests / params.concurrency) * params.latencyMs;
  const chainMs = 4 * params.latencyMs + params.stopDelayMs;
  return { requests, requestsByPhase: { listPages, batchCalls, perJobCalls }, throughputMs, chainMs, ms: Math.max(throughputMs, chainMs) };
}

/** The groups, for readers of the formula: which calls each needs. */
export const CALLS_BY_GROUP: Record<GroupName, string> = {
  "flink-delete": "snapshot, batch delete",
  "flink-stop": "snapshot, batch stop, confirm",
  "flink-stop-then-delete": "snapshot, batch stop, confirm, batch delete",
  spark: "snapshot, cancel per batch, confirm",
  mrs: "snapshot, kill per execution, confirm, batch delete",
  ehpc: "snapshot, batch stop, confirm, batch delete",
};
