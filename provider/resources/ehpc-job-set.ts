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
import { count } from "../wait/progress";
import { awaitWithin, describeIn, deleteRemaining, finishTeardown, lookupEach, markGone, notePolled, recheckWith, recordAlreadyGone, requireAllExist, runBatches, snapshotPaged, TeardownLedger, teardownInMode, type BatchPlan, type Runtime, type Snapshot, type SnapshotOptions } from "./teardown";

/**
 * The set's jobs that exist now, with their status. A list that answers 2100 for the cluster proves nothing about
 * its jobs by itself (see `EHPC_RET.notFound`): each member is then asked for by its detail call.
 */
export function snapshotEhpcJobs(runtime: Runtime<EhpcContext>, ids: readonly string[], options?: SnapshotOptions): Promise<Snapshot<EhpcJob>> {
  return snapshotPaged(
    {
      pageSize: EHPC_LIST_PAGE_SIZE,
      addressing: "offset",
      concurrency: runtime.concurrency,
      key: `ehpc ${runtime.ctx.endpoint} ${runtime.ctx.zone} ${runtime.ctx.clusterId}`,
      fetch: async ({ offset, limit }) => {
        const page = await listEhpcJobs(runtime.ctx, offset, limit);
        return { total: page.totalCount, items: page.jobs, containerGone: page.clusterGone };
      },
      idOf: (job) => job.jobId,
      lookup: (missing) => lookupEach(missing, runtime.concurrency, (id) => getEhpcJob(runtime.ctx, id)),
    },
    ids,
    options,
  );
}

/** create and adoption: every ID must name a job of this cluster. */
export async function verifyEhpcJobsExist(runtime: Runtime<EhpcContext>, state: EhpcJobSetState, ids: readonly string[] = state.jobIds): Promise<void> {
  const { found, containerGone } = await snapshotEhpcJobs(runtime, ids);
  requireAllExist(SERVICE, ids, (id) => found.has(id), `cluster ${state.clusterId} in zone ${state.zone}${containerGone ? " (the cluster does not exist)" : ""}`);
}

const ended = (job: EhpcJob) => EHPC_FINAL_STATUSES.has(job.status);
const describeJob = (job: EhpcJob | undefined) => (job ? `status ${job.status}` : "status unknown");

/** Batch calls of `send`; jobs an answer left in doubt are looked at again (existence first), and resent when `needsCall`. */
function plan(runtime: Runtime<EhpcContext>, state: EhpcJobSetState, send: BatchPlan["send"], needsCall: (job: EhpcJob) => boolean): BatchPlan {
  return {
    batchSize: state.batchSize,
    concurrency: runtime.concurrency,
    send,
    recheck: recheckWith(async (ids) => (await snapshotEhpcJobs(runtime, ids)).found, needsCall),
  };
}

/** Stops the jobs that have not ended, then waits until each has ended or is gone. */
async function stopAll(runtime: Runtime<EhpcContext>, state: EhpcJobSetState, existing: Map<string, EhpcJob>, ledger: TeardownLedger): Promise<void> {
  const active = [...existing.values()].filter((job) => !ended(job)).map((job) => job.jobId);
  if (active.length === 0) return;
  runtime.progress.log(`${SERVICE}: stopping ${count(active.length)} jobs that have not ended`);
  // A job that ended meanwhile needs no stop but still exists: the recheck resends only to jobs not ended, and
  // counts as gone only jobs the API no longer has, so stop-then-delete still deletes the ended ones.
  const stop = plan(runtime, state, (ids) => stopEhpcJobs(runtime.ctx, ids), (job) => !ended(job));
  await runBatches(stop, active, ledger, () => {}, (jobId) => markGone(existing, ledger, jobId));
  await awaitStopped(runtime, state, existing, active, ledger);
}

/** Polls until every job stopped has ended (a final status) or is gone. */
async function awaitStopped(runtime: Runtime<EhpcContext>, state: EhpcJobSetState, existing: Map<string, EhpcJob>, stopped: string[], ledger: TeardownLedger): Promise<void> {
  const waitingFor = stopped.filter((id) => existing.has(id) && !ledger.failed.has(id));
  if (waitingFor.length === 0) return;
  await awaitWithin(runtime, state, describeIn(existing, describeJob), {
    service: SERVICE,
    verb: "stopped",
    ids: waitingFor,
    condition: async () => {
      const polled = waitingFor.filter((id) => existing.has(id) && !ledger.failed.has(id) && !ended(existing.get(id)!));
      const now = (await snapshotEhpcJobs(runtime, polled)).found;
      const pending = polled.filter((id) => {
        const job = notePolled(existing, ledger, id, now.get(id));
        return job !== undefined && !ended(job);
      });
      return { pending, failed: new Map() };
    },
  });
}

/** Deletes the jobs that still exist and have not failed an earlier step, then waits until the API lists none. */
async function deleteAll(runtime: Runtime<EhpcContext>, state: EhpcJobSetState, existing: Map<string, EhpcJob>, ledger: TeardownLedger): Promise<void> {
  await deleteRemaining(runtime, state, existing, plan(runtime, state, (chunkIds) => deleteEhpcJobs(runtime.ctx, chunkIds), () => true), {
    service: SERVICE,
    snapshot: (pending, options) => snapshotEhpcJobs(runtime, pending, options),
    describe: describeJob,
    ledger,
  });
}

/**
 * Tears down `ids` (all of a set on delete, the removed ones on update) with the set's teardown mode.
 * Resolves when every job is torn down; otherwise throws PartialTeardownError naming each job that failed
 * and why, after finishing every job it could.
 */
export async function teardownEhpcJobs(runtime: Runtime<EhpcContext>, state: EhpcJobSetState, ids: readonly string[] = state.jobIds): Promise<{ done: string[] }> {
  const ledger = new TeardownLedger(ids.length);
  const { found: existing, containerGone } = await snapshotEhpcJobs(runtime, ids);
  if (containerGone) {
    runtime.progress.warn(
      `${SERVICE}: cluster ${state.clusterId} in zone ${state.zone} was reported missing (ret_code 2100); ` +
        `${count(ids.length - existing.size)} of ${count(ids.length)} jobs confirmed gone by their own detail calls`,
    );
  }
  recordAlreadyGone(SERVICE, ids, (id) => existing.has(id), ledger, runtime.progress);
  await teardownInMode(state.teardown, existing, ledger, {
    stopAll: () => stopAll(runtime, state, existing, ledger),
    deleteAll: () => deleteAll(runtime, state, existing, ledger),
    stopped: ended,
    statusOf: (job) => job.status,
  });
  return finishTeardown(SERVICE, ids, ledger, runtime.progress, state.teardown);
}
