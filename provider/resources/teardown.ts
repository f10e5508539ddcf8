/**
 * What every kind's teardown shares, so the four kinds keep the same guarantees:
 *   - a snapshot first (`snapshotPaged`): jobs already gone are done and never sent again, and a job counts as
 *     gone only on the API's word for it (see `snapshotPaged`);
 *   - a ledger (`TeardownLedger`) of what was done and what failed, job by job, with the API's reason;
 *   - one batch runner (`runBatches`): chunks in parallel, a failed chunk fails only its jobs, an ambiguous
 *     answer is settled by looking again (a bounded number of times);
 *   - one check that a delete happened (`awaitDeleted`): a delete's "success" is not taken on trust;
 *   - one way to end (`finishTeardown`): success only when every job handed in is accounted for as done;
 *     otherwise PartialTeardownError naming each job that is not, so a rerun of the destroy retries only what
 *     is left.
 */
import { chunk, mapConcurrent, type BatchOutcome } from "../clients/http";
import { AuthError, JobsNotFoundError, JobSetError, PartialTeardownError, WaitTimeoutError } from "../errors";
import { awaitAll, AwaitTimeoutError } from "../wait/await-gone";
import { count, type Progress } from "../wait/progress";

/** Rounds of "the answer was ambiguous: list again and resend what still needs it". */
export const MAX_RESOLVE_ROUNDS = 2;

/**
 * Polls of a delete's confirmation that leave members the list could not prove gone for the next poll, rather than
 * ask for each: sibling sets of one project delete at the same moment, and once they are done the list fits one answer.
 */
export const DEFERRED_LOOKUP_POLLS = 3;

/** Passes over a moving offset-paged list before the members it did not show are asked for one by one. */
export const MAX_PROOF_PASSES = 3;

/** Failed jobs listed one per line in an error; the rest are counted. */
const MAX_LISTED_FAILURES = 50;

/** Tallies what a teardown did, job by job. A job that failed is not done, whatever was recorded before. */
export class TeardownLedger {
  readonly done = new Set<string>();
  readonly failed = new Map<string, string>();
  constructor(readonly total: number) {}
  fail(jobId: string, reason: string) {
    this.failed.set(jobId, reason);
    this.done.delete(jobId);
  }
}

/** The message of an error, for a ledger's reason. */
export function reasonOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Up to 20 IDs, then a count of the rest. */
export function listIds(ids: readonly string[], describe: (id: string) => string = (id) => id): string {
  return ids.slice(0, 20).map(describe).join(", ") + (ids.length > 20 ? ` and ${ids.length - 20} more` : "");
}

// ---------------------------------------------------------------------------------------------------
// Snapshots

export interface ListPage<T> {
  /** The list's length when this page was cut, as the API reports it. */
  total: number;
  items: T[];
  /** The container (an MRS or EHPC cluster) is said not to exist: confirmed job by job before anything counts as gone. */
  containerGone?: boolean;
}

/** A slice of a list: `limit` records from record `offset`. */
export interface ListWindow {
  offset: number;
  limit: number;
}

export interface PagedListing<T> {
  pageSize: number;
  /**
   * "offset": the API takes any record offset (DLI Flink and Spark, EHPC), so windows can overlap by one record and
   * a pass over the list can prove it did not move (see `snapshotPaged`). "page": it takes page numbers only (MRS),
   * so windows are whole pages and a multi-page pass proves nothing.
   */
  addressing: "offset" | "page";
  /** List pages in flight at once. */
  concurrency: number;
  /** One window of the list; for "page" addressing, `offset` is always a multiple of `limit`. */
  fetch(window: ListWindow): Promise<ListPage<T>>;
  /**
   * Names the list (its endpoint, project, cluster…): sets of one project snapshot it at the same time, and a
   * page one of them is already reading is shared rather than read again (`sharedFetch`).
   */
  key: string;
  idOf(item: T): string;
  /**
   * The API's detail call, job by job: those of `ids` that exist. A job is left out only when the API answers its
   * documented "does not exist" for it; any other failure throws.
   */
  lookup(ids: string[]): Promise<T[]>;
}

export interface Snapshot<T> {
  found: Map<string, T>;
  /** The list said the container is gone; members not found were confirmed gone one by one. */
  containerGone: boolean;
  /** With `deferLookups`: members neither seen nor proven gone (empty otherwise). */
  unproven: string[];
}

export interface SnapshotOptions {
  /**
   * When the passes cannot prove the members not seen are gone, report them `unproven` rather than ask for each:
   * a wait loop polls again soon, and by then the list may fit one answer (its sibling sets done deleting).
   */
  deferLookups?: boolean;
}

/**
 * The members of `ids` that exist now. A member counts as gone only when the API says so for that job (its detail
 * call, `lookup`) or when a listing that cannot have moved under us leaves it out:
 *
 *   - one answer that holds the whole list (a first window that ends before `pageSize`) is one consistent view;
 *   - a pass over several windows is consistent only when it proves so. Other teams create and delete jobs while we
 *     page, and one creation plus one deletion keep `total` unchanged while shifting every job between them by one
 *     place, so a member can slip into a window already read. On "offset" lists the windows overlap by one record:
 *     when each window's last record is the next window's first and the last window ends the list, no member can
 *     have slipped past (jobs keep their order among themselves, so a member before an anchor stays before it);
 *   - anything else (a "page" list of several pages, an anchor that moved, a list that grew past the last window)
 *     proves nothing: the list is read again when a pass costs fewer calls than the members not seen (at most
 *     `MAX_PROOF_PASSES` passes), and then the members still not seen are looked up one by one.
 *
 * Cost when nothing moves: the first window, then the others back to front, several in flight, stopping as soon as
 * every member is found; members missing after the first window are looked up at once when that costs fewer calls
 * than the windows left. The overlap adds one window per hundred.
 */
export async function snapshotPaged<T>(listing: PagedListing<T>, ids: readonly string[], options: SnapshotOptions = {}): Promise<Snapshot<T>> {
  const wanted = new Set(ids);
  const found = new Map<string, T>();
  const settled = (): Snapshot<T> => ({ found, containerGone: false, unproven: [] });
  if (wanted.size === 0) return settled();
  const collect = (items: T[]) => {
    for (const item of items) {
      const id = listing.idOf(item);
      if (wanted.has(id)) found.set(id, item);
    }
  };
  const missing = () => [...wanted].filter((id) => !found.has(id));
  const confirmMissing = async (containerGone: boolean): Promise<Snapshot<T>> => {
    const unseen = missing();
    if (unseen.length) collect(await listing.lookup(unseen));
    return { found, containerGone, unproven: [] };
  };

  const size = listing.pageSize;
  const step = listing.addressing === "offset" ? size - 1 : size;
  const window = (index: number): ListWindow => ({ offset: index * step, limit: size });

  for (let pass = 1; ; pass++) {
    const pages = new Map<number, ListPage<T>>();
    const read = async (index: number) => {
      const page = await sharedFetch(listing, window(index));
      pages.set(index, page);
      return page;
    };
    const first = await read(0);
    if (first.containerGone) return confirmMissing(true);
    collect(first.items);
    if (found.size === wanted.size) return settled();
    if (first.items.length < size && first.total <= first.items.length) return settled();

    const last = Math.max(0, Math.ceil((first.total - size) / step));
    if (missing().length <= last) return confirmMissing(false);

    const indexes: number[] = [];
    for (let index = last; index >= 1; index--) indexes.push(index);
    for (const group of chunk(indexes, listing.concurrency)) {
      if (found.size === wanted.size) break;
      for (const page of await Promise.all(group.map(read))) {
        if (page.containerGone) return confirmMissing(true);
        collect(page.items);
      }
    }
    if (found.size === wanted.size || provesAbsence(listing, pages, last)) return settled();
    // The list moved while we read it (sets of one project are torn down in parallel), or it pages by number. Another
    // pass costs `last + 1` windows and may find it still; asking for each member not seen costs a call each: take the
    // cheaper, a bounded number of times.
    if (listing.addressing !== "offset" || pass >= MAX_PROOF_PASSES || missing().length <= last + 1) {
      return options.deferLookups ? { found, containerGone: false, unproven: missing() } : confirmMissing(false);
    }
  }
}

/** Whether windows 0..last, read in any order, add up to one unmoved view of the list (see `snapshotPaged`). */
function provesAbsence<T>(listing: PagedListing<T>, pages: Map<number, ListPage<T>>, last: number): boolean {
  if (listing.addressing !== "offset") return last === 0;
  for (let index = 0; index < last; index++) {
    const page = pages.get(index);
    const next = pages.get(index + 1);
    if (!page || !next || page.items.length !== listing.pageSize) return false;
    const anchor = next.items[0];
    if (anchor === undefined || listing.idOf(page.items[page.items.length - 1]!) !== listing.idOf(anchor)) return false;
  }
  const end = pages.get(last);
  return end !== undefined && end.items.length < listing.pageSize;
}

/** List windows being read, by listing key and window: shared by the snapshots that want them meanwhile. */
const pagesInFlight = new Map<string, Promise<ListPage<unknown>>>();

/**
 * Reads a window, or joins the read of the same window already in flight. The engine deletes the sets of a project
 * in parallel and their snapshots read the same windows at the same moment. A joined answer left the server a little
 * before this snapshot asked for it, which is no different from a slower network: it is still one real answer.
 */
function sharedFetch<T>(listing: PagedListing<T>, window: ListWindow): Promise<ListPage<T>> {
  const key = `${listing.key}\u0000${window.offset}\u0000${window.limit}`;
  let page = pagesInFlight.get(key) as Promise<ListPage<T>> | undefined;
  if (!page) {
    page = listing.fetch(window);
    pagesInFlight.set(key, page);
    const forget = () => pagesInFlight.get(key) === page && pagesInFlight.delete(key);
    page.then(forget, forget);
  }
  return page;
}

/** A `PagedListing.lookup` from a per-job detail call: the jobs of `ids` that exist, `concurrency` calls at a time. */
export async function lookupEach<T>(ids: readonly string[], concurrency: number, get: (id: string) => Promise<T | undefined>): Promise<T[]> {
  const answers = await mapConcurrent(ids, concurrency, get);
  return answers.filter((item): item is Awaited<T> & T => item !== undefined);
}

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

// ---------------------------------------------------------------------------------------------------
// Batch and per-job calls

/** What a second look says about jobs an answer left in doubt. IDs in neither list need nothing more from this call. */
export interface Recheck {
  /** Confirmed gone (by `snapshotPaged`'s rules). */
  gone: string[];
  /** Still there and still needing the call. */
  resend: string[];
}

export interface BatchPlan {
  batchSize: number;
  /** Batch calls in flight at once. */
  concurrency: number;
  send(ids: string[]): Promise<BatchOutcome[]>;
  /** A second look at jobs the answer did not settle: which are gone, which to send again. */
  recheck(ids: string[]): Promise<Recheck>;
}

/** A `BatchPlan.recheck` from a kind's snapshot: jobs it no longer shows are gone; those `needsCall` accepts are resent. */
export function recheckWith<T>(snapshot: (ids: string[]) => Promise<Map<string, T>>, needsCall: (item: T) => boolean): BatchPlan["recheck"] {
  return async (ids) => {
    const now = await snapshot(ids);
    return { gone: ids.filter((id) => !now.has(id)), resend: ids.filter((id) => now.has(id) && needsCall(now.get(id)!)) };
  };
}

/**
 * Sends `ids` in chunks through `plan.send`, in parallel up to the plan's concurrency. "done" and "not-running"
 * go to `onAnswered`; "failed" records the reason. "unknown" (an answer that does not say which job it is about)
 * and "gone" (a batch element's message, which is not the API's documented word) make us look again: jobs the
 * second look confirms gone go to `onGone`, those still needing the call are resent, a bounded number of times.
 * A whole chunk that errors marks each of its jobs failed with the API's message, and the other chunks go on.
 */
export async function runBatches(
  plan: BatchPlan,
  ids: string[],
  ledger: TeardownLedger,
  onAnswered: (jobId: string, outcome: BatchOutcome) => void,
  onGone: (jobId: string) => void,
): Promise<void> {
  let todo = ids;
  for (let round = 0; todo.length > 0; round++) {
    const doubtful = new Map<string, string>();
    await mapConcurrent(chunk(todo, plan.batchSize), plan.concurrency, async (ids) => {
      let outcomes: BatchOutcome[];
      try {
        outcomes = await plan.send(ids);
      } catch (error) {
        const reason = reasonOf(error);
        for (const id of ids) ledger.fail(id, reason);
        return;
      }
      for (const outcome of outcomes) {
        if (outcome.outcome === "failed") ledger.fail(outcome.jobId, outcome.message);
        else if (outcome.outcome === "unknown" || outcome.outcome === "gone") doubtful.set(outcome.jobId, outcome.message);
        else onAnswered(outcome.jobId, outcome);
      }
    });
    if (doubtful.size === 0) return;
    const { gone, resend } = await plan.recheck([...doubtful.keys()]);
    for (const id of gone) onGone(id);
    todo = resend;
    if (round + 1 >= MAX_RESOLVE_ROUNDS) {
      for (const id of todo) ledger.fail(id, doubtful.get(id)!);
      return;
    }
  }
}

/**
 * For APIs without a batch call (DLI Spark cancel, MRS kill): runs `worker` for each ID, at most
 * `concurrency` at once over the shared keep-alive pool. An error fails that ID only, with its message;
 * except a rejected credential (AuthError), which would fail every other call the same way: no more calls
 * are started and it is thrown once the calls in flight have answered.
 */
export async function forEachJob(ids: readonly string[], concurrency: number, ledger: TeardownLedger, worker: (id: string) => Promise<void>): Promise<void> {
  let rejected: AuthError | undefined;
  await mapConcurrent(ids, concurrency, async (id) => {
    if (rejected) return;
    try {
      await worker(id);
    } catch (error) {
      if (error instanceof AuthError) {
        rejected ??= error;
        return;
      }
      // The ledger's line already names the job: drop the message's own "<service> job <id>: ".
      const reason = reasonOf(error);
      const subject = /^[\w-]+ job (\S+): /.exec(reason);
      ledger.fail(id, subject?.[1] === id ? reason.slice(subject[0].length) : reason);
    }
  });
  if (rejected) throw rejected;
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
  try {
    await awaitAll({
      service: check.service,
      verb: "deleted",
      total: waiting.length,
      timeoutMs: check.timeoutMs,
      progress: check.progress,
      condition: async () => {
        const polled = waiting.filter((id) => !check.ledger.done.has(id) && !check.ledger.failed.has(id));
        const { found: shown, unproven } = await check.snapshot(polled, { deferLookups: ++polls <= DEFERRED_LOOKUP_POLLS });
        const pending: string[] = [...unproven];
        const again: string[] = [];
        for (const id of polled) {
          const item = shown.get(id);
          if (unproven.includes(id)) continue;
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

/** Sends the deletes of `ids` through `plan`, then waits until the API shows none of them (`awaitDeleted`). */
export async function deleteAndConfirm<T>(plan: BatchPlan, ids: string[], check: Omit<DeleteCheck<T>, "ids" | "resend">): Promise<void> {
  const answered: string[] = [];
  const gone = (jobId: string) => check.ledger.done.add(jobId);
  await runBatches(plan, ids, check.ledger, (jobId) => answered.push(jobId), gone);
  await awaitDeleted({ ...check, ids: answered, resend: (again) => runBatches(plan, again, check.ledger, () => {}, gone) });
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
