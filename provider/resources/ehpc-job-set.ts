/**
 * QingCloud EHPC job sets: verify on create, tear down on delete (and for IDs removed by an update).
 *
 * Teardown = snapshot → stopAll → awaitStopped → deleteAll, each step only over the jobs that still need
 * it, with the set's teardown mode picking the steps. The default is "stop-then-delete": whether deleteJobs
 * also stops a running job is undocumented, and stopJobs is what ends billing.
 *
 * A job counts as torn down when it is gone from the cluster's list (or the cluster itself is gone, which
 * the API answers with ret_code 2100). stopJobs and deleteJobs answer for the whole call, so a 2100 that
 * does not say which job it is about is settled by listing again and resending only what still needs it.
 */
import {
  deleteEhpcJobs,
  EHPC_FINAL_STATUSES,
  EHPC_LIST_PAGE_SIZE,
  getEhpcJob,
  listEhpcJobs,
  SERVICE,
  stopEhpcJobs,
  type EhpcContext,
  type EhpcJob,
} from "../clients/qingcloud-ehpc";
import type { EhpcJobSetState } from "../schema";
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
  type Snapshot,
} from "./teardown";

export interface EhpcRuntime {
  ctx: EhpcContext;
  progress: Progress;
  /** Batch calls or list pages in flight at once for one set. */
  concurrency: number;
}

/** The set's jobs that exist now, with their status. A cluster that does not exist holds none. */
export function snapshotEhpcJobs(runtime: EhpcRuntime, ids: readonly string[]): Promise<Snapshot<EhpcJob>> {
  return snapshotPaged(
    {
      pageSize: EHPC_LIST_PAGE_SIZE,
      concurrency: runtime.concurrency,
      key: `ehpc ${runtime.ctx.endpoint} ${runtime.ctx.zone} ${runtime.ctx.clusterId}`,
      fetch: async (index) => {
        const page = await listEhpcJobs(runtime.ctx, index * EHPC_LIST_PAGE_SIZE);
        return { total: page.totalCount, items: page.jobs, containerGone: page.clusterGone };
      },
      idOf: (job) => job.jobId,
      lookup: (missing) => lookupEach(missing, runtime.concurrency, (id) => getEhpcJob(runtime.ctx, id)),
    },
    ids,
  );
}

/** create and adoption: every ID must name a job of this cluster. */
export async function verifyEhpcJobsExist(runtime: EhpcRuntime, state: EhpcJobSetState, ids: readonly string[] = state.jobIds): Promise<void> {
  const { found, containerGone } = await snapshotEhpcJobs(runtime, ids);
  requireAllExist(SERVICE, ids, (id) => found.has(id), `cluster ${state.clusterId} in zone ${state.zone}${containerGone ? " (the cluster does not exist)" : ""}`);
}

const ended = (job: EhpcJob) => EHPC_FINAL_STATUSES.has(job.status);

/** Stops the jobs that have not ended, then waits until each has. */
async function stopAll(runtime: EhpcRuntime, state: EhpcJobSetState, existing: Map<string, EhpcJob>, ledger: TeardownLedger): Promise<void> {
  const active = [...existing.values()].filter((job) => !ended(job)).map((job) => job.jobId);
  if (active.length === 0) return;
  runtime.progress.log(`${SERVICE}: stopping ${count(active.length)} jobs that have not ended`);
  const plan: BatchPlan = {
    batchSize: state.batchSize,
    concurrency: runtime.concurrency,
    send: (ids) => stopEhpcJobs(runtime.ctx, ids),
    // Resent only to jobs that still exist and still have not ended.
    stillExisting: async (ids) => {
      const now = await snapshotEhpcJobs(runtime, ids);
      return new Set([...now.found.values()].filter((job) => !ended(job)).map((job) => job.jobId));
    },
  };
  await runBatches(plan, active, ledger, (jobId, outcome) => {
    // Gone while we stopped it: nothing left to stop or delete.
    if (outcome.outcome === "gone") {
      existing.delete(jobId);
      ledger.done.add(jobId);
    }
  });
  await awaitStopped(runtime, state, existing, active, ledger);
}

/** Polls the list until every job stopped is finished, exited, cancelled or stopped, or gone. */
async function awaitStopped(runtime: EhpcRuntime, state: EhpcJobSetState, existing: Map<string, EhpcJob>, stopped: string[], ledger: TeardownLedger): Promise<void> {
  const waitingFor = stopped.filter((id) => existing.has(id) && !ledger.failed.has(id));
  if (waitingFor.length === 0) return;
  await awaitAll({
    service: SERVICE,
    verb: "stopped",
    total: waitingFor.length,
    timeoutMs: state.waitTimeoutSeconds * 1000,
    progress: runtime.progress,
    condition: async () => {
      const now = await snapshotEhpcJobs(runtime, waitingFor.filter((id) => existing.has(id)));
      const pending: string[] = [];
      for (const id of waitingFor) {
        if (!existing.has(id)) continue;
        const job = now.found.get(id);
        if (!job) {
          existing.delete(id);
          ledger.done.add(id);
          continue;
        }
        existing.set(id, job);
        if (!ended(job)) pending.push(id);
      }
      return { pending, failed: new Map() };
    },
  });
}

/** Deletes the jobs that still exist and have not failed an earlier step. */
async function deleteAll(runtime: EhpcRuntime, state: EhpcJobSetState, existing: Map<string, EhpcJob>, ledger: TeardownLedger): Promise<void> {
  const ids = [...existing.keys()].filter((id) => !ledger.failed.has(id));
  if (ids.length) runtime.progress.log(`${SERVICE}: deleting ${count(ids.length)} jobs`);
  const plan: BatchPlan = {
    batchSize: state.batchSize,
    concurrency: runtime.concurrency,
    send: (chunkIds) => deleteEhpcJobs(runtime.ctx, chunkIds),
    stillExisting: async (chunkIds) => new Set((await snapshotEhpcJobs(runtime, chunkIds)).found.keys()),
  };
  await runBatches(plan, ids, ledger, (jobId) => {
    ledger.done.add(jobId);
  });
}

/**
 * Tears down `ids` (all of a set on delete, the removed ones on update) with the set's teardown mode.
 * Resolves when every job is torn down; otherwise throws PartialTeardownError naming each job that failed
 * and why, after finishing every job it could.
 */
export async function teardownEhpcJobs(runtime: EhpcRuntime, state: EhpcJobSetState, ids: readonly string[] = state.jobIds): Promise<{ done: string[] }> {
  const ledger = new TeardownLedger(ids.length);
  const { found: existing, containerGone } = await snapshotEhpcJobs(runtime, ids);
  if (containerGone) {
    runtime.progress.warn(`${SERVICE}: cluster ${state.clusterId} in zone ${state.zone} does not exist (ret_code 2100): its jobs are gone with it`);
  }
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
