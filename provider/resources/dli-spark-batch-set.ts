/**
 * DLI Spark batch sets: verify on create, cancel on delete (and for IDs removed by an update).
 *
 * Teardown = snapshot → cancelAll → awaitCancelled. DLI has no batch cancel, so each step is one call per
 * batch, fanned out `concurrency` at a time over the shared keep-alive pool.
 *
 * The snapshot reads each batch's state (`GET .../batches/{id}/state`) rather than paging the project's
 * batch list (`GET .../batches?from=&size=`): the cancel is per batch anyway, so the state calls at most
 * double a teardown's requests, while the list holds every batch the project has kept (finished ones
 * included) and would cost more pages than the set has members in a busy project; the state call's answer
 * (`{id, state}`) is documented where the list's is not, and it is what Terraform's delete reads, so its
 * "a 400 means gone" is the same conclusion.
 *
 * Only `starting`, `running` and `recovering` batches can be cancelled. Any other state (`dead`,
 * `success`) means there is nothing left to cancel: the batch is done. A batch that finished between the
 * snapshot and its cancel answers 400; the wait's state call confirms it has ended before it counts as
 * done, and a batch still active after a refused cancel fails with the API's reason.
 */
import { cancelSparkBatch, getSparkBatchState, SERVICE, SPARK_ACTIVE_STATES } from "../clients/huawei-dli-spark";
import { mapConcurrent } from "../clients/http";
import type { DliContext } from "../clients/huawei-dli";
import type { SparkBatchSetState } from "../schema";
import { awaitAll } from "../wait/await-gone";
import { count, type Progress } from "../wait/progress";
import { failOnTimeout, finishTeardown, forEachJob, reasonOf, recordAlreadyGone, requireAllExist, TeardownLedger } from "./teardown";

export interface SparkRuntime {
  ctx: DliContext;
  progress: Progress;
  /** State and cancel calls in flight at once for one set. */
  concurrency: number;
}

/** create and adoption: every ID must name a batch DLI still knows in this project (any state). */
export async function verifySparkBatchesExist(runtime: SparkRuntime, state: SparkBatchSetState, ids: readonly string[] = state.batchIds): Promise<void> {
  const answers = await mapConcurrent(ids, runtime.concurrency, (id) => getSparkBatchState(runtime.ctx, id));
  const existing = new Set(answers.filter((a) => a.exists).map((a) => a.batchId));
  requireAllExist(SERVICE, ids, (id) => existing.has(id), `project ${state.projectId}`);
}

/** Each batch's state now; gone batches are done, batches whose state could not be read fail. */
async function snapshotStates(runtime: SparkRuntime, ids: readonly string[], ledger: TeardownLedger): Promise<Map<string, string>> {
  const states = new Map<string, string>();
  await forEachJob(ids, runtime.concurrency, ledger, async (id) => {
    const answer = await getSparkBatchState(runtime.ctx, id);
    if (answer.exists) states.set(id, answer.state);
  });
  recordAlreadyGone(SERVICE, ids, (id) => states.has(id) || ledger.failed.has(id), ledger, runtime.progress);
  return states;
}

/**
 * Cancels the active batches. Returns those to wait for, with the reason of each cancel DLI refused (to be
 * confirmed by the wait).
 */
async function cancelAll(runtime: SparkRuntime, active: string[], ledger: TeardownLedger): Promise<{ waiting: string[]; refused: Map<string, string> }> {
  const waiting: string[] = [];
  const refused = new Map<string, string>();
  if (active.length) runtime.progress.log(`${SERVICE}: cancelling ${count(active.length)} active batches`);
  await forEachJob(active, runtime.concurrency, ledger, async (id) => {
    const answer = await cancelSparkBatch(runtime.ctx, id);
    if (answer.outcome === "gone") {
      ledger.done.add(id);
      return;
    }
    if (answer.outcome === "refused") refused.set(id, answer.message);
    waiting.push(id);
  });
  return { waiting, refused };
}

/**
 * Polls the state of each batch waited for until it has left the cancellable states (`dead`, `success`)
 * or is gone. A batch whose cancel was refused and that is still active has failed.
 */
async function awaitCancelled(runtime: SparkRuntime, state: SparkBatchSetState, waiting: string[], refused: Map<string, string>, ledger: TeardownLedger): Promise<void> {
  if (waiting.length === 0) return;
  // Failures go to the ledger as they are seen, so a later timeout cannot lose them.
  const failed = new Map<string, string>();
  const fail = (id: string, reason: string) => {
    failed.set(id, reason);
    ledger.fail(id, reason);
  };
  const settled = new Set<string>();
  await awaitAll({
    service: SERVICE,
    verb: "cancelled",
    total: waiting.length,
    timeoutMs: state.waitTimeoutSeconds * 1000,
    progress: runtime.progress,
    condition: async () => {
      const pending: string[] = [];
      const polled = waiting.filter((id) => !settled.has(id) && !failed.has(id));
      await mapConcurrent(polled, runtime.concurrency, async (id) => {
        let answer;
        try {
          answer = await getSparkBatchState(runtime.ctx, id);
        } catch (error) {
          fail(id, reasonOf(error));
          return;
        }
        if (!answer.exists || !SPARK_ACTIVE_STATES.has(answer.state)) {
          settled.add(id);
          ledger.done.add(id);
        } else if (refused.has(id)) {
          fail(id, `${refused.get(id)}, and the batch is still ${answer.state}`);
        } else {
          pending.push(id);
        }
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
export async function teardownSparkBatches(runtime: SparkRuntime, state: SparkBatchSetState, ids: readonly string[] = state.batchIds): Promise<{ done: string[] }> {
  const ledger = new TeardownLedger(ids.length);
  const states = await snapshotStates(runtime, ids, ledger);
  const active: string[] = [];
  for (const [id, batchState] of states) {
    // Not cancellable (dead, success): nothing left to cancel.
    if (SPARK_ACTIVE_STATES.has(batchState)) active.push(id);
    else ledger.done.add(id);
  }
  const { waiting, refused } = await cancelAll(runtime, active, ledger);
  try {
    await awaitCancelled(runtime, state, waiting, refused, ledger);
  } catch (error) {
    failOnTimeout(error, ledger);
  }
  return finishTeardown(SERVICE, ids, ledger, runtime.progress, "cancel");
}
