/**
 * MRS job execution sets: verify on create, tear down on delete (and for IDs removed by an update).
 *
 * Teardown = snapshot → killAll → awaitEnded → deleteAll. The snapshot pages through the cluster's
 * executions (the list counts `offset` in pages from 1). Executions that have not ended are killed one by
 * one (MRS has no batch kill), and the delete waits until every one is FINISHED, FAILED or KILLED: the
 * console deletes executions only after they end (docs/apis.md, "MRS job executions"), and deleting a running one would
 * leave its YARN application running with nothing left to find it by. Then batch-delete in chunks.
 *
 * With `killRunning: false`, an execution that has not ended fails the teardown before anything is
 * deleted, naming each one: the user asked us not to kill, and a half-deleted set would be harder to
 * reason about than an untouched one.
 */
import {
  batchDeleteJobExecutions,
  getJobExecution,
  killJobExecution,
  listJobExecutions,
  MRS_CLUSTER_GONE_CODE,
  MRS_FINAL_STATES,
  MRS_LIST_PAGE_SIZE,
  MRS_RETRY_LATER_CODE,
  SERVICE,
  type MrsContext,
  type MrsExecution,
} from "../clients/huawei-mrs";
import type { BatchOutcome } from "../clients/http";
import { JobSetError } from "../errors";
import type { MrsJobExecutionSetState } from "../schema";
import { count, type Progress } from "../wait/progress";
import { awaitWithin, describeIn, deleteRemaining, failOnTimeout, finishTeardown, lookupEach, markGone, recheckWith, recordAlreadyGone, requireAllExist, snapshotPaged, stopEach, TeardownLedger, type BatchPlan, type Runtime, type Snapshot, type SnapshotOptions } from "./teardown";

/**
 * The set's executions that exist now, with their state. The list takes page numbers, not offsets, so a pass over
 * several pages cannot prove a member absent: members not seen are asked for by their detail call, and so are all
 * members when the list says the cluster does not exist (`snapshotPaged`).
 */
export function snapshotMrsExecutions(runtime: Runtime<MrsContext>, ids: readonly string[], options?: SnapshotOptions): Promise<Snapshot<MrsExecution>> {
  return snapshotPaged(
    {
      pageSize: MRS_LIST_PAGE_SIZE,
      addressing: "page",
      concurrency: runtime.concurrency,
      key: `mrs ${runtime.ctx.endpoint} ${runtime.ctx.projectId} ${runtime.ctx.clusterId}`,
      fetch: async ({ offset, limit }) => {
        const page = await listJobExecutions(runtime.ctx, offset / limit + 1, limit);
        return { total: page.totalRecord, items: page.jobs, containerGone: page.clusterGone };
      },
      idOf: (execution) => execution.jobId,
      lookup: (missing) => lookupEach(missing, runtime.concurrency, (id) => getJobExecution(runtime.ctx, id)),
    },
    ids,
    options,
  );
}

function where(state: MrsJobExecutionSetState, clusterGone = false): string {
  return `cluster ${state.clusterId} of project ${state.projectId}${clusterGone ? " (the cluster does not exist)" : ""}`;
}

/** create and adoption: every ID must name an execution in this cluster. */
export async function verifyMrsExecutionsExist(runtime: Runtime<MrsContext>, state: MrsJobExecutionSetState, ids: readonly string[] = state.jobIds): Promise<void> {
  const { found, containerGone } = await snapshotMrsExecutions(runtime, ids);
  requireAllExist(SERVICE, ids, (id) => found.has(id), where(state, containerGone));
}

const ended = (execution: MrsExecution) => MRS_FINAL_STATES.has(execution.state);
const describeExecution = (execution: MrsExecution | undefined) => (execution ? `state ${execution.state}` : "state unknown");

/** Kills each execution that has not ended. Returns those to wait for, with the reason of each refused kill. */
async function killAll(runtime: Runtime<MrsContext>, running: string[], ledger: TeardownLedger) {
  runtime.progress.log(`${SERVICE}: killing ${count(running.length)} executions that have not ended`);
  return stopEach(running, runtime.concurrency, ledger, (id) => killJobExecution(runtime.ctx, id));
}

/**
 * Polls the list until every execution waited for has ended or is gone. One whose kill was refused and
 * that is still running has failed, with the API's reason.
 */
async function awaitEnded(
  runtime: Runtime<MrsContext>,
  state: MrsJobExecutionSetState,
  existing: Map<string, MrsExecution>,
  waiting: string[],
  refused: Map<string, string>,
  ledger: TeardownLedger,
): Promise<void> {
  if (waiting.length === 0) return;
  // Failures go to the ledger as they are seen, so a later timeout cannot lose them.
  const failed = new Map<string, string>();
  const settled = new Set<string>();
  await awaitWithin(runtime, state, describeIn(existing, describeExecution), {
    service: SERVICE,
    verb: "ended",
    ids: waiting,
    condition: async () => {
      const polled = waiting.filter((id) => !settled.has(id) && !failed.has(id));
      const now = await snapshotMrsExecutions(runtime, polled);
      const pending: string[] = [];
      for (const id of polled) {
        const execution = now.found.get(id);
        if (!execution) {
          settled.add(id);
          markGone(existing, ledger, id);
        } else if (ended(execution)) {
          settled.add(id);
          existing.set(id, execution);
        } else if (refused.has(id)) {
          const reason = `${refused.get(id)}, and the execution is still ${execution.state}`;
          failed.set(id, reason);
          ledger.fail(id, reason);
        } else {
          pending.push(id);
        }
      }
      return { pending, failed };
    },
  });
}

/**
 * One batch delete. `0202` ("too many jobs, retry later") is retried with backoff by the client; if it
 * outlasts the retries on a chunk of several, the chunk may simply be above MRS's undocumented limit
 * (`batchSize` is the user's to raise), so it is halved and each half sent on its own.
 */
async function deleteChunk(runtime: Runtime<MrsContext>, ids: string[]): Promise<BatchOutcome[]> {
  try {
    return await batchDeleteJobExecutions(runtime.ctx, ids);
  } catch (error) {
    if (ids.length < 2 || !(error instanceof JobSetError) || error.vendorCode !== MRS_RETRY_LATER_CODE) throw error;
    const half = Math.ceil(ids.length / 2);
    return [...(await deleteChunk(runtime, ids.slice(0, half))), ...(await deleteChunk(runtime, ids.slice(half)))];
  }
}

/** Batch-deletes the executions that still exist and have not failed an earlier step, then waits until MRS shows none. */
async function deleteAll(runtime: Runtime<MrsContext>, state: MrsJobExecutionSetState, existing: Map<string, MrsExecution>, ledger: TeardownLedger): Promise<void> {
  const plan: BatchPlan = {
    batchSize: state.batchSize,
    concurrency: runtime.concurrency,
    send: (chunkIds: string[]) => deleteChunk(runtime, chunkIds),
    recheck: recheckWith(async (pending) => (await snapshotMrsExecutions(runtime, pending)).found, () => true),
  };
  await deleteRemaining(
    runtime,
    state,
    existing,
    plan,
    { service: SERVICE, snapshot: (pending, options) => snapshotMrsExecutions(runtime, pending, options), describe: describeExecution, ledger },
    "executions",
  );
}

/** killRunning is false and some executions have not ended: fail them all, deleting nothing. */
function refuseRunning(state: MrsJobExecutionSetState, ids: readonly string[], existing: Map<string, MrsExecution>, running: string[], ledger: TeardownLedger, progress: Progress) {
  for (const id of running) ledger.fail(id, `still ${existing.get(id)!.state} and killRunning is false`);
  for (const id of existing.keys()) {
    if (!ledger.failed.has(id)) ledger.fail(id, "not deleted: other executions of the set are still running and killRunning is false");
  }
  const shown = running.slice(0, 20).join(", ") + (running.length > 20 ? ` and ${running.length - 20} more` : "");
  return finishTeardown(
    SERVICE,
    ids,
    ledger,
    progress,
    "delete",
    `${SERVICE}: ${count(running.length)} executions in cluster ${state.clusterId} have not ended and killRunning is false, ` +
      `so nothing was deleted: ${shown}. Wait for them to end, kill them, or set killRunning to true; then run the destroy again`,
  );
}

/**
 * Tears down `ids` (all of a set on delete, the removed ones on update). Resolves when every execution is
 * deleted; otherwise throws PartialTeardownError naming each execution that failed and why, after
 * finishing every execution it could.
 */
export async function teardownMrsExecutions(runtime: Runtime<MrsContext>, state: MrsJobExecutionSetState, ids: readonly string[] = state.jobIds): Promise<{ done: string[] }> {
  const ledger = new TeardownLedger(ids.length);
  const { found: existing, containerGone } = await snapshotMrsExecutions(runtime, ids);
  if (containerGone) {
    runtime.progress.warn(
      `${SERVICE}: cluster ${state.clusterId} was reported missing (${MRS_CLUSTER_GONE_CODE}); ` +
        `${count(ids.length - existing.size)} of ${count(ids.length)} executions confirmed gone by their own detail calls`,
    );
  }
  recordAlreadyGone(SERVICE, ids, (id) => existing.has(id), ledger, runtime.progress);

  const running = [...existing.values()].filter((execution) => !ended(execution)).map((execution) => execution.jobId);
  if (running.length && !state.killRunning) return refuseRunning(state, ids, existing, running, ledger, runtime.progress);
  if (running.length) {
    const { waiting, refused } = await killAll(runtime, running, ledger);
    try {
      await awaitEnded(runtime, state, existing, waiting, refused, ledger);
    } catch (error) {
      // A wait timeout fails the executions still running, with their state; those that ended can still be deleted.
      failOnTimeout(error, ledger, (id) => existing.get(id)?.state);
    }
  }
  await deleteAll(runtime, state, existing, ledger);
  return finishTeardown(SERVICE, ids, ledger, runtime.progress, state.killRunning ? "kill, then delete" : "delete");
}
