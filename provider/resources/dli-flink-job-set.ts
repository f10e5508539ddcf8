/**
 * DLI Flink job sets: verify on create, tear down on delete (and for IDs removed by an update).
 *
 * Teardown = snapshot → stopAll → awaitStopped → deleteAll, each step only over the jobs that still need
 * it. The snapshot comes first so that a rerun after any failure sends nothing for jobs already gone,
 * and so that a job deleted out of band never breaks a destroy. A job counts as torn down when the API
 * says it is gone (DLI.16001, DLI.0002, or an `is_success:"false"` element saying it does not exist).
 */
import {
  batchDeleteFlinkJobs,
  batchStopFlinkJobs,
  FLINK_ACTIVE_STATUSES,
  FLINK_LIST_PAGE_SIZE,
  FLINK_STOP_FAILED_STATUSES,
  FLINK_STOPPING_STATUSES,
  getFlinkJob,
  listFlinkJobs,
  SERVICE,
  type DliContext,
  type FlinkJob,
} from "../clients/huawei-dli";
import type { FlinkJobSetState } from "../schema";
import { awaitAll } from "../wait/await-gone";
import { count, type Progress } from "../wait/progress";
import {
  failOnTimeout,
  finishTeardown,
  lookupEach,
  recordAlreadyGone,
  requireAllExist,
  runBatches,
  snapshotPaged,
  TeardownLedger,
  type BatchPlan,
} from "./teardown";

export interface FlinkRuntime {
  ctx: DliContext;
  progress: Progress;
  /** Batch calls (or list pages) in flight at once for one set. */
  concurrency: number;
}

/**
 * The set's jobs that exist now, with their status: the project's job list, 100 a page, several pages in
 * flight, stopping as soon as every member is found (see `snapshotPaged`).
 */
export async function snapshotFlinkJobs(runtime: FlinkRuntime, ids: readonly string[]): Promise<Map<string, FlinkJob>> {
  const snapshot = await snapshotPaged(
    {
      pageSize: FLINK_LIST_PAGE_SIZE,
      concurrency: runtime.concurrency,
      key: `dli-flink ${runtime.ctx.endpoint} ${runtime.ctx.projectId}`,
      fetch: async (index) => {
        const page = await listFlinkJobs(runtime.ctx, index * FLINK_LIST_PAGE_SIZE);
        return { total: page.totalCount, items: page.jobs };
      },
      idOf: (job) => job.jobId,
      lookup: (missing) => lookupEach(missing, runtime.concurrency, (id) => getFlinkJob(runtime.ctx, id)),
    },
    ids,
  );
  return snapshot.found;
}

/** create and adoption: every ID must name an existing job in this project. */
export async function verifyFlinkJobsExist(runtime: FlinkRuntime, state: FlinkJobSetState, ids: readonly string[] = state.jobIds): Promise<Map<string, FlinkJob>> {
  const existing = await snapshotFlinkJobs(runtime, ids);
  requireAllExist(SERVICE, ids, (id) => existing.has(id), `project ${state.projectId}`);
  return existing;
}

/** Chunks of `batchSize`; an ambiguous answer is settled by listing again. */
function plan(runtime: FlinkRuntime, state: FlinkJobSetState, send: BatchPlan["send"]): BatchPlan {
  return {
    batchSize: state.batchSize,
    concurrency: runtime.concurrency,
    send,
    stillExisting: async (ids) => new Set((await snapshotFlinkJobs(runtime, ids)).keys()),
  };
}

/** Stops the active jobs, then waits until none is running. Returns the jobs that ended stopped. */
async function stopAll(runtime: FlinkRuntime, state: FlinkJobSetState, existing: Map<string, FlinkJob>, ledger: TeardownLedger): Promise<void> {
  const active = [...existing.values()].filter((j) => FLINK_ACTIVE_STATUSES.has(j.status)).map((j) => j.jobId);
  const stop = plan(runtime, state, (ids) => batchStopFlinkJobs(runtime.ctx, ids, state.triggerSavepoint));
  if (active.length) {
    runtime.progress.log(
      `${SERVICE}: stopping ${count(active.length)} running jobs${state.triggerSavepoint ? " with a savepoint" : ""}`,
    );
  }
  await runBatches(stop, active, ledger, (jobId, outcome) => {
    // Gone while we stopped it: nothing left to stop or delete.
    if (outcome.outcome === "gone") {
      existing.delete(jobId);
      ledger.done.add(jobId);
    }
  });
  await awaitStopped(runtime, state, existing, ledger, stop);
}

/**
 * Polls the list until every job still in the set is stopped (job_cancel_success, job_init or any other
 * non-running state), failed to stop (job_cancel_fail), or gone. A job seen running again after its stop
 * was answered (a lost answer, an API restart) gets one more stop.
 */
async function awaitStopped(runtime: FlinkRuntime, state: FlinkJobSetState, existing: Map<string, FlinkJob>, ledger: TeardownLedger, stop: BatchPlan): Promise<void> {
  const waitingFor = [...existing.keys()].filter((id) => !ledger.failed.has(id));
  if (waitingFor.length === 0) return;
  const restopped = new Set<string>();
  const snapshot = await awaitAll({
    service: SERVICE,
    verb: "stopped",
    total: waitingFor.length,
    timeoutMs: state.waitTimeoutSeconds * 1000,
    progress: runtime.progress,
    condition: async () => {
      const now = await snapshotFlinkJobs(runtime, waitingFor.filter((id) => existing.has(id)));
      const pending: string[] = [];
      const failed = new Map<string, string>();
      const restop: string[] = [];
      for (const id of waitingFor) {
        const job = now.get(id);
        if (!job) {
          // Gone while we waited: nothing left to stop or delete.
          existing.delete(id);
          ledger.done.add(id);
          continue;
        }
        existing.set(id, job);
        if (FLINK_STOP_FAILED_STATUSES.has(job.status)) {
          // Into the ledger at once: a later timeout on other jobs must not lose this failure.
          const reason = `the stop failed: status ${job.status}`;
          failed.set(id, reason);
          ledger.fail(id, reason);
        }
        else if (FLINK_STOPPING_STATUSES.has(job.status)) pending.push(id);
        else if (FLINK_ACTIVE_STATUSES.has(job.status)) {
          pending.push(id);
          if (!restopped.has(id)) restop.push(id);
        }
      }
      if (restop.length) {
        for (const id of restop) restopped.add(id);
        await runBatches(stop, restop, ledger, () => {});
      }
      return { pending: pending.filter((id) => !ledger.failed.has(id)), failed };
    },
  });
  for (const [id, reason] of snapshot.failed) ledger.fail(id, reason);
}

/** Batch-deletes the jobs that still exist and have not failed an earlier step. */
async function deleteAll(runtime: FlinkRuntime, state: FlinkJobSetState, existing: Map<string, FlinkJob>, ledger: TeardownLedger): Promise<void> {
  const ids = [...existing.keys()].filter((id) => !ledger.failed.has(id));
  if (ids.length) runtime.progress.log(`${SERVICE}: deleting ${count(ids.length)} jobs`);
  await runBatches(plan(runtime, state, (chunkIds) => batchDeleteFlinkJobs(runtime.ctx, chunkIds)), ids, ledger, (jobId) => {
    ledger.done.add(jobId);
  });
}

/**
 * Tears down `ids` (all of a set on delete, the removed ones on update) with the set's teardown mode.
 * Resolves when every job is torn down; otherwise throws PartialTeardownError naming each job that
 * failed and why, after finishing every job it could.
 */
export async function teardownFlinkJobs(runtime: FlinkRuntime, state: FlinkJobSetState, ids: readonly string[] = state.jobIds): Promise<{ done: string[] }> {
  const ledger = new TeardownLedger(ids.length);
  const existing = await snapshotFlinkJobs(runtime, ids);
  recordAlreadyGone(SERVICE, ids, (id) => existing.has(id), ledger, runtime.progress);

  if (state.teardown === "stop" || state.teardown === "stop-then-delete") {
    try {
      await stopAll(runtime, state, existing, ledger);
    } catch (error) {
      // A wait timeout fails the jobs still stopping; the ones already stopped can still be deleted.
      failOnTimeout(error, ledger);
    }
    if (state.teardown === "stop") {
      for (const id of existing.keys()) if (!ledger.failed.has(id)) ledger.done.add(id);
    }
  }
  if (state.teardown === "delete" || state.teardown === "stop-then-delete") {
    await deleteAll(runtime, state, existing, ledger);
  }

  return finishTeardown(SERVICE, ids, ledger, runtime.progress, state.teardown);
}
