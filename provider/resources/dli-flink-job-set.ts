/**
 * DLI Flink job sets: verify on create, tear down on delete (and for IDs removed by an update).
 *
 * Teardown = snapshot → stopAll → awaitStopped → deleteAll → awaitDeleted, each step only over the jobs that still
 * need it. The snapshot comes first so that a rerun after any failure sends nothing for jobs already gone, and so
 * that a job deleted out of band never breaks a destroy. A job counts as torn down only on the API's word: gone
 * from a listing that cannot have moved or by its detail call (`snapshotPaged`), or, in "stop" mode, listed in a
 * status known to be stopped (`FLINK_STOPPED_STATUSES`). Any other status, known or not, may be running: it is
 * sent a stop and waited for.
 *
 * With `triggerSavepoint`, each job our stop stopped is then read once by its detail call, before any delete, to
 * say where its savepoint went (`readSavepoints`): the path is printed, and an update reports it in the set's
 * `savepoints` output (`savepointOutputs`).
 */
import { mapConcurrent, type BatchOutcome } from "../clients/http";
import {
  batchDeleteFlinkJobs,
  batchStopFlinkJobs,
  FLINK_LIST_PAGE_SIZE,
  FLINK_STOP_FAILED_STATUSES,
  FLINK_STOPPED_STATUSES,
  flinkMayRun,
  getFlinkJob,
  listFlinkJobs,
  SERVICE,
  type DliContext,
  type FlinkJob,
} from "../clients/huawei-dli";
import { wrapSecret } from "../pulumi-secrets";
import type { FlinkJobSetState } from "../schema";
import { count } from "../wait/progress";
import { awaitWithin, describeIn, deleteRemaining, finishTeardown, lookupEach, markGone, notePolled, recheckWith, reasonOf, recordAlreadyGone, requireAllExist, runBatches, snapshotPaged, TeardownLedger, teardownInMode, type BatchPlan, type PagedListing, type Runtime } from "./teardown";

type FlinkRuntime = Runtime<DliContext>;

/** The project's job list, 100 a window; a member not seen is asked for by its detail call (`snapshotPaged`). */
function flinkListing(runtime: FlinkRuntime): PagedListing<FlinkJob> {
  return {
    pageSize: FLINK_LIST_PAGE_SIZE,
    addressing: "offset",
    concurrency: runtime.concurrency,
    key: `dli-flink ${runtime.ctx.endpoint} ${runtime.ctx.projectId}`,
    fetch: async ({ offset, limit }) => {
      const page = await listFlinkJobs(runtime.ctx, offset, limit);
      return { total: page.totalCount, items: page.jobs };
    },
    idOf: (job) => job.jobId,
    lookup: (missing) => lookupEach(missing, runtime.concurrency, (id) => getFlinkJob(runtime.ctx, id)),
  };
}

/**
 * The set's jobs that exist now, with their status: several windows in flight, stopping as soon as every member is
 * found; members not seen are gone only on the API's word (`snapshotPaged`).
 */
export async function snapshotFlinkJobs(runtime: FlinkRuntime, ids: readonly string[]): Promise<Map<string, FlinkJob>> {
  return (await snapshotPaged(flinkListing(runtime), ids)).found;
}

/** create and adoption: every ID must name an existing job in this project. */
export async function verifyFlinkJobsExist(runtime: FlinkRuntime, state: FlinkJobSetState, ids: readonly string[] = state.jobIds): Promise<Map<string, FlinkJob>> {
  const existing = await snapshotFlinkJobs(runtime, ids);
  requireAllExist(SERVICE, ids, (id) => existing.has(id), `project ${state.projectId}`);
  return existing;
}

/** Chunks of `batchSize`; jobs an answer left in doubt are looked at again, and resent when `needsCall` says so. */
function plan(runtime: FlinkRuntime, state: FlinkJobSetState, send: BatchPlan["send"], needsCall: (job: FlinkJob) => boolean): BatchPlan {
  return {
    batchSize: state.batchSize,
    concurrency: runtime.concurrency,
    send,
    recheck: recheckWith((ids) => snapshotFlinkJobs(runtime, ids), needsCall),
  };
}

const describeJob = (job: FlinkJob | undefined) => (job ? `status ${job.status}` : "status unknown");

/**
 * Stops every job that may be running, then waits until each is in a stopped status or gone. With
 * `triggerSavepoint`, then says where the savepoint of each job the stop stopped went (into `savepoints`), also when
 * the wait timed out on others: before any delete, since a deleted job's detail, and the path with it, is gone.
 */
async function stopAll(runtime: FlinkRuntime, state: FlinkJobSetState, existing: Map<string, FlinkJob>, ledger: TeardownLedger, savepoints: FlinkSavepoint[]): Promise<void> {
  const running = [...existing.values()].filter((job) => flinkMayRun(job.status)).map((job) => job.jobId);
  const stop = plan(runtime, state, (ids) => batchStopFlinkJobs(runtime.ctx, ids, state.triggerSavepoint), (job) => flinkMayRun(job.status));
  if (running.length) {
    runtime.progress.log(`${SERVICE}: stopping ${count(running.length)} jobs${state.triggerSavepoint ? " with a savepoint" : ""}`);
  }
  const gone = (jobId: string) => markGone(existing, ledger, jobId);
  // The jobs DLI accepted a stop for (not those it answered "not running"): those a savepoint was asked for.
  const stopped = new Set<string>();
  const accepted = (jobId: string, answer: BatchOutcome) => {
    if (answer.outcome === "done") stopped.add(jobId);
  };
  try {
    await runBatches(stop, running, ledger, accepted, gone);
    await awaitStopped(runtime, state, existing, ledger, stop, accepted);
  } finally {
    if (state.triggerSavepoint) {
      const savepointed = [...stopped].filter((id) => !ledger.failed.has(id) && FLINK_STOPPED_STATUSES.has(existing.get(id)?.status ?? ""));
      savepoints.push(...(await readSavepoints(runtime, savepointed)));
    }
  }
}

/**
 * Polls until every job of the set is in a stopped status or gone. A job seen in any other status after its stop
 * was answered (a lost answer, an API restart, a status we do not know) gets one more stop; one whose stop failed
 * (job_cancel_fail) after that has failed.
 */
async function awaitStopped(
  runtime: FlinkRuntime,
  state: FlinkJobSetState,
  existing: Map<string, FlinkJob>,
  ledger: TeardownLedger,
  stop: BatchPlan,
  accepted: (jobId: string, answer: BatchOutcome) => void,
): Promise<void> {
  const waitingFor = [...existing.values()].filter((job) => !FLINK_STOPPED_STATUSES.has(job.status) && !ledger.failed.has(job.jobId)).map((job) => job.jobId);
  if (waitingFor.length === 0) return;
  const restopped = new Set<string>();
  const failed = new Map<string, string>();
  await awaitWithin(runtime, state, describeIn(existing, describeJob), {
    service: SERVICE,
    verb: "stopped",
    ids: waitingFor,
    condition: async () => {
      const polled = waitingFor.filter((id) => existing.has(id) && !ledger.failed.has(id) && !FLINK_STOPPED_STATUSES.has(existing.get(id)!.status));
      const now = await snapshotFlinkJobs(runtime, polled);
      const pending: string[] = [];
      const restop: string[] = [];
      for (const id of polled) {
        // Gone while we waited (the detail call or an unmoved listing says so): nothing left to stop or delete.
        const job = notePolled(existing, ledger, id, now.get(id));
        if (!job || FLINK_STOPPED_STATUSES.has(job.status)) continue;
        if (FLINK_STOP_FAILED_STATUSES.has(job.status) && restopped.has(id)) {
          // Into the ledger at once: a later timeout on other jobs must not lose this failure.
          const reason = `the stop failed twice: status ${job.status}`;
          failed.set(id, reason);
          ledger.fail(id, reason);
          continue;
        }
        pending.push(id);
        if (flinkMayRun(job.status) && !restopped.has(id)) restop.push(id);
      }
      if (restop.length) {
        for (const id of restop) restopped.add(id);
        await runBatches(stop, restop, ledger, accepted, (id) => markGone(existing, ledger, id));
      }
      return { pending: pending.filter((id) => !ledger.failed.has(id)), failed };
    },
  });
}

/** Batch-deletes the jobs that still exist and have not failed an earlier step, then waits until the API shows none. */
async function deleteAll(runtime: FlinkRuntime, state: FlinkJobSetState, existing: Map<string, FlinkJob>, ledger: TeardownLedger): Promise<void> {
  await deleteRemaining(runtime, state, existing, plan(runtime, state, (chunkIds) => batchDeleteFlinkJobs(runtime.ctx, chunkIds), () => true), {
    service: SERVICE,
    snapshot: (pending, options) => snapshotPaged(flinkListing(runtime), pending, options),
    describe: describeJob,
    ledger,
  });
}

/**
 * Tears down `ids` (all of a set on delete, the removed ones on update) with the set's teardown mode.
 * Resolves when every job is torn down, with the savepoints its stops took and the outputs an update records for
 * them (`savepointOutputs`); otherwise throws PartialTeardownError naming each job that failed and why, after
 * finishing every job it could.
 */
export async function teardownFlinkJobs(
  runtime: FlinkRuntime,
  state: FlinkJobSetState,
  ids: readonly string[] = state.jobIds,
): Promise<{ done: string[]; savepoints: FlinkSavepoint[]; outputs: Record<string, unknown> }> {
  const ledger = new TeardownLedger(ids.length);
  const existing = await snapshotFlinkJobs(runtime, ids);
  recordAlreadyGone(SERVICE, ids, (id) => existing.has(id), ledger, runtime.progress);
  const savepoints: FlinkSavepoint[] = [];

  await teardownInMode(state.teardown, existing, ledger, {
    stopAll: () => stopAll(runtime, state, existing, ledger, savepoints),
    deleteAll: () => deleteAll(runtime, state, existing, ledger),
    stopped: (job) => FLINK_STOPPED_STATUSES.has(job.status),
    statusOf: (job) => job.status,
  });

  const { done } = finishTeardown(SERVICE, ids, ledger, runtime.progress, state.teardown);
  return { done, savepoints, outputs: savepointOutputs(savepoints) };
}

// ---------------------------------------------------------------------------------------------------
// Savepoints

/** Where the savepoint of a job our stop stopped went: `path` null when the API named none. */
export interface FlinkSavepoint {
  jobId: string;
  path: string | null;
}

/**
 * Reads the detail of each job stopped with a savepoint and says, job by job, where the savepoint went. The read only
 * reports: a failed one is a warning, never a failure of the teardown, whose stop the API has already confirmed.
 */
async function readSavepoints(runtime: FlinkRuntime, ids: readonly string[]): Promise<FlinkSavepoint[]> {
  return mapConcurrent(ids, runtime.concurrency, async (jobId): Promise<FlinkSavepoint> => {
    const taken = `${SERVICE}: job ${jobId} stopped with a savepoint`;
    let job: FlinkJob | undefined;
    try {
      job = await getFlinkJob(runtime.ctx, jobId);
    } catch (error) {
      runtime.progress.warn(`${taken}; reading where it went failed: ${reasonOf(error)}`);
      return { jobId, path: null };
    }
    if (!job) runtime.progress.warn(`${taken}; the job was gone before its savepoint path could be read`);
    else if (job.savepointPath) runtime.progress.log(`${SERVICE}: job ${jobId} savepoint ${job.savepointPath}`);
    else runtime.progress.log(`${taken}; the API named no path for it`);
    return { jobId, path: job?.savepointPath ?? null };
  });
}

/**
 * The outputs an update reports for the jobs it stopped with a savepoint: `savepoints`, job ID → path ("" when the API
 * named none), or nothing when it stopped none that way. Always a secret, whatever the set's IDs: both hosts hand the
 * provider its inputs with secrets stripped, so it cannot tell whether `jobIds` was one, and the engine keeps an output
 * secret only when the input of the same name was; this one names the jobs (as keys, and often in the paths).
 */
export function savepointOutputs(savepoints: readonly FlinkSavepoint[]): Record<string, unknown> {
  if (savepoints.length === 0) return {};
  const value = Object.fromEntries(savepoints.map((savepoint) => [savepoint.jobId, savepoint.path ?? ""]));
  return { savepoints: wrapSecret(value) };
}
