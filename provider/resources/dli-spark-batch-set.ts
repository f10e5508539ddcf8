/**
 * DLI Spark batch sets: verify on create, cancel on delete (and for IDs removed by an update).
 *
 * Teardown = snapshot → cancelAll → awaitCancelled. DLI has no batch cancel, so each step is one call per
 * batch, fanned out `concurrency` at a time over the shared keep-alive pool.
 *
 * For a set smaller than a list page, the snapshot (and the wait) read each batch's state
 * (`GET .../batches/{id}/state`) rather than paging the project's batch list (`GET .../batches?from=&size=`):
 * the list holds every batch the project has kept (finished ones included), the state call's answer
 * (`{id, state}`) is documented where the list's is not, and it is what Terraform's delete reads, so its
 * "a 400 means gone" is the same conclusion. For a set of a page or more, the state calls would double or
 * triple a teardown's requests (one read before the cancel and one or more after it, per batch): it reads the
 * list instead, 100 batches a page,
 * when that costs fewer calls than the batches it still looks for (`snapshotPaged`), and the state call
 * for the rest.
 *
 * A batch in `dead` or `success` has ended: nothing left to cancel, the batch is done. Any other state, including
 * one DLI adds later, may be running: it is cancelled and waited for. A batch that finished between the snapshot
 * and its cancel answers 400; the wait's state call confirms it has ended before it counts as done, and a batch
 * still not ended after a refused cancel fails with the API's reason. "Gone" is DLI's word for that batch only
 * (`DLI.0002`, or its own 404): any other refusal of a read is confirmed by another read (`getSparkBatchState`).
 */
import { cancelSparkBatch, getSparkBatchState, listSparkBatches, SERVICE, SPARK_LIST_PAGE_SIZE, type SparkBatchState, sparkMayRun } from "../clients/huawei-dli-spark";
import { mapConcurrent } from "../clients/http";
import type { DliContext } from "../clients/huawei-dli";
import type { SparkBatchSetState } from "../schema";
import { count } from "../wait/progress";
import { awaitWithin, describeIn, failOnTimeout, finishTeardown, forEachJob, lookupEach, reasonOf, recordAlreadyGone, requireAllExist, snapshotPaged, stopEach, TeardownLedger, type Runtime } from "./teardown";

/**
 * The state of each of `ids` that DLI still knows (lowercase), for a set of a list page or more: the project's
 * list, newest first, or the state calls when the list is much longer than the set (see `snapshotPaged`).
 * Smaller sets: one state call per batch (`readEach`).
 */
export async function snapshotSparkBatches(runtime: Runtime<DliContext>, ids: readonly string[]): Promise<Map<string, string>> {
  if (ids.length < SPARK_LIST_PAGE_SIZE) return readEach(runtime, ids);
  const snapshot = await snapshotPaged(
    {
      pageSize: SPARK_LIST_PAGE_SIZE,
      addressing: "offset",
      concurrency: runtime.concurrency,
      key: `dli-spark ${runtime.ctx.endpoint} ${runtime.ctx.projectId}`,
      fetch: async ({ offset, limit }) => {
        const page = await listSparkBatches(runtime.ctx, offset, limit);
        return { total: page.total, items: page.batches };
      },
      idOf: (batch) => batch.batchId,
      lookup: (missing) =>
        lookupEach(missing, runtime.concurrency, async (id) => {
          const answer = await getSparkBatchState(runtime.ctx, id);
          return answer.exists ? { batchId: id, state: answer.state } : undefined;
        }),
    },
    ids,
  );
  return new Map([...snapshot.found].map(([id, batch]) => [id, batch.state]));
}

/** One state call per batch, `concurrency` at a time. */
async function readEach(runtime: Runtime<DliContext>, ids: readonly string[]): Promise<Map<string, string>> {
  const answers = await mapConcurrent(ids, runtime.concurrency, (id) => getSparkBatchState(runtime.ctx, id));
  return new Map(answers.flatMap((a) => (a.exists ? [[a.batchId, a.state] as const] : [])));
}

/** create and adoption: every ID must name a batch DLI still knows in this project (any state). */
export async function verifySparkBatchesExist(runtime: Runtime<DliContext>, state: SparkBatchSetState, ids: readonly string[] = state.batchIds): Promise<void> {
  const existing = await snapshotSparkBatches(runtime, ids);
  requireAllExist(SERVICE, ids, (id) => existing.has(id), `project ${state.projectId}`);
}

/**
 * Each batch's state now; gone batches are done. A small set reads batch by batch, and a batch whose state
 * could not be read fails alone; a large set reads the list, whose failure fails the teardown.
 */
async function snapshotStates(runtime: Runtime<DliContext>, ids: readonly string[], ledger: TeardownLedger): Promise<Map<string, string>> {
  let states = new Map<string, string>();
  if (ids.length >= SPARK_LIST_PAGE_SIZE) {
    states = await snapshotSparkBatches(runtime, ids);
  } else {
    await forEachJob(ids, runtime.concurrency, ledger, async (id) => {
      const answer = await getSparkBatchState(runtime.ctx, id);
      if (answer.exists) states.set(id, answer.state);
    });
  }
  recordAlreadyGone(SERVICE, ids, (id) => states.has(id) || ledger.failed.has(id), ledger, runtime.progress);
  return states;
}

/**
 * Cancels the active batches. Returns those to wait for, with the reason of each cancel DLI refused (to be
 * confirmed by the wait).
 */
async function cancelAll(runtime: Runtime<DliContext>, active: string[], ledger: TeardownLedger): Promise<{ waiting: string[]; refused: Map<string, string> }> {
  if (active.length) runtime.progress.log(`${SERVICE}: cancelling ${count(active.length)} active batches`);
  return stopEach(active, runtime.concurrency, ledger, (id) => cancelSparkBatch(runtime.ctx, id));
}

/**
 * Polls the state of each batch waited for until it has left the cancellable states (`dead`, `success`)
 * or is gone. A batch whose cancel was refused and that is still active has failed.
 */
async function awaitCancelled(
  runtime: Runtime<DliContext>,
  state: SparkBatchSetState,
  waiting: string[],
  refused: Map<string, string>,
  states: Map<string, string>,
  ledger: TeardownLedger,
): Promise<void> {
  if (waiting.length === 0) return;
  // Failures go to the ledger as they are seen, so a later timeout cannot lose them.
  const failed = new Map<string, string>();
  const fail = (id: string, reason: string) => {
    failed.set(id, reason);
    ledger.fail(id, reason);
  };
  const settled = new Set<string>();
  await awaitWithin(runtime, state, describeIn(states, (batchState) => `state ${batchState ?? "unknown"}`), {
    service: SERVICE,
    verb: "cancelled",
    ids: waiting,
    condition: async () => {
      const pending: string[] = [];
      const polled = waiting.filter((id) => !settled.has(id) && !failed.has(id));
      const judge = (id: string, answer: { exists: boolean; state?: string }) => {
        if (answer.exists) states.set(id, answer.state!);
        if (!answer.exists || !sparkMayRun(answer.state!)) {
          settled.add(id);
          ledger.done.add(id);
        } else if (refused.has(id)) {
          fail(id, `${refused.get(id)}, and the batch is still ${answer.state}`);
        } else {
          pending.push(id);
        }
      };
      if (polled.length >= SPARK_LIST_PAGE_SIZE) {
        // A page or more still to confirm: one pass over the list (a failed list fails the teardown, as a snapshot's would).
        const now = await snapshotSparkBatches(runtime, polled);
        for (const id of polled) judge(id, now.has(id) ? { exists: true, state: now.get(id)! } : { exists: false });
        return { pending, failed };
      }
      await mapConcurrent(polled, runtime.concurrency, async (id) => {
        let answer: SparkBatchState;
        try {
          answer = await getSparkBatchState(runtime.ctx, id);
        } catch (error) {
          fail(id, reasonOf(error));
          return;
        }
        judge(id, answer);
      });
      return { pending, failed };
    },
  });
}

/**
 * Cancels `ids` (all of a set on delete, the removed ones on update) and waits until each has ended.
 * Resolves when every batch has; otherwise throws PartialTeardownError naming each batch that failed and
 * why, after finishing every batch it could.
 */
export async function teardownSparkBatches(runtime: Runtime<DliContext>, state: SparkBatchSetState, ids: readonly string[] = state.batchIds): Promise<{ done: string[] }> {
  const ledger = new TeardownLedger(ids.length);
  const states = await snapshotStates(runtime, ids, ledger);
  const active: string[] = [];
  for (const [id, batchState] of states) {
    // Ended (dead, success): nothing left to cancel. Anything else may run.
    if (sparkMayRun(batchState)) active.push(id);
    else ledger.done.add(id);
  }
  const { waiting, refused } = await cancelAll(runtime, active, ledger);
  try {
    await awaitCancelled(runtime, state, waiting, refused, states, ledger);
  } catch (error) {
    failOnTimeout(error, ledger, (id) => states.get(id));
  }
  return finishTeardown(SERVICE, ids, ledger, runtime.progress, "cancel");
}
