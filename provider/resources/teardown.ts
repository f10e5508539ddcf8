/**
 * What every kind's teardown shares, so the four kinds keep the same guarantees:
 *   - a snapshot first (`snapshotPaged`, snapshot.ts): jobs already gone are done and never sent again, and a job
 *     counts as gone only on the API's word for it;
 *   - a ledger (`TeardownLedger`, ledger.ts) of what was done and what failed, job by job, with the API's reason;
 *   - one batch runner (`runBatches`, batches.ts): chunks in parallel, a failed chunk fails only its jobs, an
 *     ambiguous answer is settled by looking again (a bounded number of times);
 *   - one check that a delete happened (`awaitDeleted`): a delete's "success" is not taken on trust;
 *   - one way to end (`finishTeardown`): success only when every job handed in is accounted for as done;
 *     otherwise PartialTeardownError naming each job that is not, so a rerun of the destroy retries only what
 *     is left.
 */
import { JobsNotFoundError, JobSetError, PartialTeardownError, WaitTimeoutError } from "../errors";
import type { TeardownMode } from "../inputs/fields";
import { awaitAll, AwaitTimeoutError, type AwaitOptions, type WaitSnapshot } from "../wait/await-gone";
import { count, type Progress } from "../wait/progress";
import { runBatches, type BatchPlan } from "./batches";
import { listIds, type TeardownLedger } from "./ledger";
import type { Snapshot, SnapshotOptions } from "./snapshot";

export * from "./batches";
export * from "./ledger";
export * from "./snapshot";

/** What a kind's teardown runs with: its API context, where progress goes, and how many calls may be in flight. */
export interface Runtime<Ctx> {
  ctx: Ctx;
  progress: Progress;
  /** Batch calls, per-job calls or list pages in flight at once for one set. */
  concurrency: number;
}

/**
 * Polls until each of `ids` is in the state a step waits for (`awaitAll`), within the set's `waitTimeoutSeconds`;
 * a timeout names each job still pending by `describe` (`describeIn`).
 */
export function awaitWithin(
  runtime: Runtime<unknown>,
  state: { waitTimeoutSeconds: number },
  describe: (id: string) => string,
  wait: Pick<AwaitOptions, "service" | "verb" | "condition"> & { ids: readonly string[] },
): Promise<WaitSnapshot> {
  const { ids, ...rest } = wait;
  return awaitAll({ ...rest, describe, total: ids.length, timeoutMs: state.waitTimeoutSeconds * 1000, progress: runtime.progress });
}

/** How a wait's timeout names a job: its ID, then what the API last said of it (`describe` of its entry in `seen`). */
export function describeIn<T>(seen: ReadonlyMap<string, T>, describe: (item: T | undefined) => string): (id: string) => string {
  return (id) => `${id} (${describe(seen.get(id))})`;
}

/** A job the API no longer has: nothing is left to send it, and it is done. */
export function markGone<T>(existing: Map<string, T>, ledger: TeardownLedger, id: string): void {
  existing.delete(id);
  ledger.done.add(id);
}

/** What a poll saw of one job: gone (`markGone`) or its state now, which replaces the one `existing` held and is returned. */
export function notePolled<T>(existing: Map<string, T>, ledger: TeardownLedger, id: string, item: T | undefined): T | undefined {
  if (item === undefined) markGone(existing, ledger, id);
  else existing.set(id, item);
  return item;
}

/**
 * Polls of a delete's confirmation that leave members the list could not prove gone for the next poll, rather than
 * ask for each: sibling sets of one project delete at the same moment, and once they are done the list fits one answer.
 * Only in the first half of the wait (`awaitDeleted`).
 */
export const DEFERRED_LOOKUP_POLLS = 3;

/** Failed jobs listed one per line in an error; the rest are counted. */
const MAX_LISTED_FAILURES = 50;

/** create and adoption: every ID must name an existing job `where` ("project …", "cluster … in zone …"). */
export function requireAllExist(service: string, ids: readonly string[], exists: (id: string) => boolean, where: string): void {
  const missing = ids.filter((id) => !exists(id));
  if (missing.length) {
    throw new JobsNotFoundError(`${service}: ${count(missing.length)} of ${count(ids.length)} jobs do not exist in ${where}: ${listIds(missing)}`, missing, {
      service,
      jobId: missing[0],
    });
  }
}

/** Marks the jobs the snapshot did not find as done, and says how many there were. */
export function recordAlreadyGone(service: string, ids: readonly string[], exists: (id: string) => boolean, ledger: TeardownLedger, progress: Progress): void {
  let gone = 0;
  for (const id of ids) {
    if (!exists(id)) {
      ledger.done.add(id);
      gone++;
    }
  }
  if (gone) progress.log(`${service}: ${count(gone)} of ${count(ids.length)} jobs already gone`);
}

/**
 * A wait that ran out of time fails the jobs it was still waiting for, each with its last status when `statusOf`
 * knows it; the others go on. Other errors propagate.
 */
export function failOnTimeout(error: unknown, ledger: TeardownLedger, statusOf: (id: string) => string | undefined = () => undefined): void {
  if (!(error instanceof WaitTimeoutError)) throw error;
  for (const id of error.remaining) {
    const status = statusOf(id);
    const summary = error instanceof AwaitTimeoutError ? error.summary : error.message;
    ledger.fail(id, `${summary}${status ? ` (last status: ${status})` : ""}`);
  }
}

// ---------------------------------------------------------------------------------------------------
// Verified deletes

export interface DeleteCheck<T> {
  service: string;
  /** The jobs a delete call was sent for (answered done, or gone). */
  ids: readonly string[];
  /** The snapshot of the kind (`snapshotPaged` rules): which of `ids` the API still shows. */
  snapshot(ids: string[], options: SnapshotOptions): Promise<Snapshot<T>>;
  /** What the API last said about a job still shown, for the failure ("status job_running"). */
  describe(item: T): string;
  /** Sends the delete again for jobs still shown after it was answered (one more time each). */
  resend(ids: string[]): Promise<void>;
  timeoutMs: number;
  progress: Progress;
  ledger: TeardownLedger;
}

/**
 * A job counts as deleted only once the API no longer shows it (a snapshot that says so by `snapshotPaged`'s
 * rules). Polls until every job sent a delete is gone; a job still shown gets the delete once more; one still
 * shown at `timeoutMs` fails, with what the API last said about it, and stays in the state.
 */
export async function awaitDeleted<T>(check: DeleteCheck<T>): Promise<void> {
  const waiting = check.ids.filter((id) => !check.ledger.failed.has(id));
  if (waiting.length === 0) return;
  const lastSeen = new Map<string, T>();
  const resent = new Set<string>();
  let polls = 0;
  // Lookups are deferred only in the first polls and the first half of the wait: the checks near the deadline always
  // settle every job (seen, or asked for), so a timeout never names a job merely because a moving list was unproven.
  const deferUntil = Date.now() + check.timeoutMs / 2;
  try {
    await awaitAll({
      service: check.service,
      verb: "deleted",
      total: waiting.length,
      timeoutMs: check.timeoutMs,
      progress: check.progress,
      condition: async () => {
        const polled = waiting.filter((id) => !check.ledger.done.has(id) && !check.ledger.failed.has(id));
        const deferLookups = ++polls <= DEFERRED_LOOKUP_POLLS && Date.now() < deferUntil;
        const { found: shown, unproven } = await check.snapshot(polled, { deferLookups });
        const pending: string[] = [...unproven];
        const unsettled = new Set(unproven);
        const again: string[] = [];
        for (const id of polled) {
          const item = shown.get(id);
          if (unsettled.has(id)) continue;
          if (!item) {
            check.ledger.done.add(id);
            continue;
          }
          lastSeen.set(id, item);
          pending.push(id);
          if (!resent.has(id)) again.push(id);
        }
        if (again.length) {
          for (const id of again) resent.add(id);
          await check.resend(again);
        }
        return { pending: pending.filter((id) => !check.ledger.failed.has(id)), failed: new Map() };
      },
    });
  } catch (error) {
    if (!(error instanceof WaitTimeoutError)) throw error;
    for (const id of error.remaining) {
      const item = lastSeen.get(id);
      check.ledger.fail(id, `the delete was answered, but the API still lists the job after ${Math.round(check.timeoutMs / 1000)} s${item ? ` (${check.describe(item)})` : ""}`);
    }
  }
}

/**
 * The delete step: the jobs of `existing` that have not failed an earlier step are sent their deletes through `plan`,
 * then waited for until the API shows none of them (`awaitDeleted`), within the set's `waitTimeoutSeconds`.
 * `noun` names them in progress ("executions").
 */
export async function deleteRemaining<T>(
  runtime: Runtime<unknown>,
  state: { waitTimeoutSeconds: number },
  existing: Map<string, T>,
  plan: BatchPlan,
  check: Pick<DeleteCheck<T>, "service" | "snapshot" | "describe" | "ledger">,
  noun = "jobs",
): Promise<void> {
  const { ledger } = check;
  const ids = [...existing.keys()].filter((id) => !ledger.failed.has(id));
  if (ids.length === 0) return;
  runtime.progress.log(`${check.service}: deleting ${count(ids.length)} ${noun}`);
  const answered: string[] = [];
  const gone = (jobId: string) => ledger.done.add(jobId);
  await runBatches(plan, ids, ledger, (jobId) => answered.push(jobId), gone);
  await awaitDeleted({
    ...check,
    ids: answered,
    resend: (again) => runBatches(plan, again, ledger, () => {}, gone),
    timeoutMs: state.waitTimeoutSeconds * 1000,
    progress: runtime.progress,
  });
}

/** The steps of a kind whose API can both stop and delete its jobs (DLI Flink, EHPC): see `teardownInMode`. */
export interface StopAndDelete<T> {
  /** Sends the stops and waits until each job stopped is in a stopped status or gone. */
  stopAll(): Promise<void>;
  /** Sends the deletes of the jobs still there and confirms them (`deleteRemaining`). */
  deleteAll(): Promise<void>;
  /** Whether a job in this state counts as stopped: in "stop" mode it is then done. */
  stopped(item: T): boolean;
  /** The job's status, for the failure of a wait that timed out. */
  statusOf(item: T): string;
}

/**
 * Runs the steps the set's teardown mode picks: "stop" stops and waits, "delete" deletes and confirms,
 * "stop-then-delete" does both. A stop wait that times out fails the jobs still not stopped, with their status;
 * those that did stop can still be deleted.
 */
export async function teardownInMode<T>(mode: TeardownMode, existing: Map<string, T>, ledger: TeardownLedger, steps: StopAndDelete<T>): Promise<void> {
  if (mode === "stop" || mode === "stop-then-delete") {
    try {
      await steps.stopAll();
    } catch (error) {
      failOnTimeout(error, ledger, (id) => {
        const item = existing.get(id);
        return item === undefined ? undefined : steps.statusOf(item);
      });
    }
    if (mode === "stop") {
      // Done only when listed in a status known to be stopped (the stop wait saw to the others).
      for (const [id, item] of existing) if (!ledger.failed.has(id) && steps.stopped(item)) ledger.done.add(id);
    }
  }
  if (mode === "delete" || mode === "stop-then-delete") await steps.deleteAll();
}

// ---------------------------------------------------------------------------------------------------
// The end

/** Every ID handed to a teardown must end done or failed; anything else is a bug in the teardown itself. */
export class TeardownAccountingError extends JobSetError {
  override readonly code = "JOBSET_ERR_TEARDOWN_ACCOUNTING";
  static override readonly errorCode = "JOBSET_ERR_TEARDOWN_ACCOUNTING";
  constructor(
    message: string,
    readonly unaccounted: string[],
    context: { service: string },
  ) {
    super(message, context);
    this.name = "TeardownAccountingError";
  }
}

/**
 * Resolves when every job handed in is done; throws PartialTeardownError naming each job that failed and why,
 * or TeardownAccountingError when some job ended neither done nor failed (which the steps above must never
 * allow). `headline` replaces the default first line (MRS's "still running and killRunning is false").
 */
export function finishTeardown(
  service: string,
  ids: readonly string[],
  ledger: TeardownLedger,
  progress: Progress,
  how: string,
  headline?: string,
): { done: string[] } {
  const unaccounted = ids.filter((id) => !ledger.done.has(id) && !ledger.failed.has(id));
  if (unaccounted.length) {
    throw new TeardownAccountingError(
      `${service}: internal error: ${count(unaccounted.length)} of ${count(ids.length)} jobs were neither torn down nor failed: ` +
        `${listIds(unaccounted)}. They may still exist; nothing was reported torn down. Please report this.`,
      unaccounted,
      { service },
    );
  }
  const done = ids.filter((id) => ledger.done.has(id) && !ledger.failed.has(id));
  const failed = new Map(ids.filter((id) => ledger.failed.has(id)).map((id) => [id, ledger.failed.get(id)!] as const));
  if (failed.size) {
    const lines = [...failed].slice(0, MAX_LISTED_FAILURES).map(([id, reason]) => `  ${service} job ${id}: ${reason}`);
    const more = failed.size > MAX_LISTED_FAILURES ? [`  … and ${failed.size - MAX_LISTED_FAILURES} more`] : [];
    const first =
      headline ??
      `${service}: ${count(failed.size)} of ${count(ids.length)} jobs were not torn down ` +
        `(${count(done.length)} done; a rerun of the destroy retries only what is left)`;
    throw new PartialTeardownError(`${first}:\n${[...lines, ...more].join("\n")}`, done, failed, {
      service,
      jobId: failed.keys().next().value,
    });
  }
  progress.log(`${service}: ${count(ids.length)} jobs torn down (${how})`);
  return { done };
}
