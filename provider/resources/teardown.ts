/**
 * What every kind's teardown shares, lifted from the DLI Flink job set so the four kinds keep the same
 * guarantees:
 *   - a snapshot first (`snapshotPaged`): jobs already gone are done and never sent again;
 *   - a ledger (`TeardownLedger`) of what was done and what failed, job by job, with the API's reason;
 *   - one batch runner (`runBatches`): chunks in parallel, a failed chunk fails only its jobs, an
 *     ambiguous answer is settled by looking again (a bounded number of times);
 *   - one way to end (`finishTeardown`): success, or PartialTeardownError naming each failed job, so a
 *     rerun of the destroy retries only what is left.
 */
import { chunk, mapConcurrent, type BatchOutcome } from "../clients/http";
import { AuthError, JobsNotFoundError, JobSetError, PartialTeardownError } from "../errors";
import { count, type Progress } from "../wait/progress";

/** Rounds of "the answer was ambiguous: list again and resend what still exists". */
export const MAX_RESOLVE_ROUNDS = 2;

/** Failed jobs listed one per line in an error; the rest are counted. */
const MAX_LISTED_FAILURES = 50;

/** Tallies what a teardown did, job by job. */
export class TeardownLedger {
  readonly done = new Set<string>();
  readonly failed = new Map<string, string>();
  constructor(readonly total: number) {}
  fail(jobId: string, reason: string) {
    this.failed.set(jobId, reason);
  }
}

/** The message of an error, for a ledger's reason. */
export function reasonOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

// ---------------------------------------------------------------------------------------------------
// Snapshots

export interface ListPage<T> {
  total: number;
  items: T[];
  /** The container (an MRS or EHPC cluster) does not exist: nothing that lived in it exists either. */
  containerGone?: boolean;
}

export interface PagedListing<T> {
  pageSize: number;
  /** List pages in flight at once. */
  concurrency: number;
  /** One page, by 0-based index; each API turns it into its own offset (records or page numbers). */
  fetch(pageIndex: number): Promise<ListPage<T>>;
  /**
   * Names the list (its endpoint, project, cluster…): sets of one project snapshot it at the same time, and a
   * page one of them is already reading is shared rather than read again (`sharedFetch`).
   */
  key: string;
  idOf(item: T): string;
  /**
   * Looks members up one by one (the API's detail call): those of `ids` that exist. Used only for members a
   * listing that moved under us did not show (see `snapshotPaged`).
   */
  lookup(ids: string[]): Promise<T[]>;
}

export interface Snapshot<T> {
  found: Map<string, T>;
  containerGone: boolean;
}

/**
 * The members of `ids` that exist now. Reads the first page (for the total), then the others from the
 * last to the first, several in flight, and stops as soon as every member is found. When the pages left
 * outnumber the members still missing, those are looked up one by one instead (`lookup`): fewer calls.
 *
 * Why backwards: the lists are newest first and paged by offset, and the sets of one project are torn down
 * in parallel (the engine deletes independent resources concurrently), so jobs vanish while we page. A
 * deletion moves every job behind it one place towards the front: read front to back, a member could move
 * from a page not read yet into one already read, and a snapshot would miss it and count it gone: it would
 * never be torn down (issue 6's benchmark caught exactly that: hundreds of Flink jobs left running). Read back
 * to front, a member can only move into pages still to be read. Two things remain: pages in flight together
 * are answered in any order, and jobs created meanwhile move members towards the back. So when the total
 * moved while we paged, the members not seen are looked up one by one (`lookup`): a member counts as gone
 * only when a stable listing or the API's own detail call says so.
 */
export async function snapshotPaged<T>(listing: PagedListing<T>, ids: readonly string[]): Promise<Snapshot<T>> {
  const wanted = new Set(ids);
  const found = new Map<string, T>();
  if (wanted.size === 0) return { found, containerGone: false };
  const collect = (items: T[]) => {
    for (const item of items) {
      const id = listing.idOf(item);
      if (wanted.has(id)) found.set(id, item);
    }
  };
  const gone = (): Snapshot<T> => ({ found: new Map(), containerGone: true });
  const fetch = (index: number) => sharedFetch(listing, index);
  const first = await fetch(0);
  if (first.containerGone) return gone();
  collect(first.items);
  const pagesLeft = Math.ceil(first.total / listing.pageSize) - 1;
  const missingAfterFirst = wanted.size - found.size;
  if (missingAfterFirst > 0 && pagesLeft > missingAfterFirst) {
    // A few members in a long list (a small set in a busy project): one detail call each costs less than the pages.
    collect(await listing.lookup([...wanted].filter((id) => !found.has(id))));
    return { found, containerGone: false };
  }
  let moved = false;
  const pageIndexes: number[] = [];
  for (let index = pagesLeft; index >= 1; index--) pageIndexes.push(index);
  for (const group of chunk(pageIndexes, listing.concurrency)) {
    if (found.size === wanted.size) break;
    const pages = await Promise.all(group.map(fetch));
    for (const page of pages) {
      if (page.containerGone) return gone();
      collect(page.items);
      if (page.total !== first.total) moved = true;
    }
  }
  if (moved && found.size < wanted.size) {
    const missing = [...wanted].filter((id) => !found.has(id));
    collect(await listing.lookup(missing));
  }
  return { found, containerGone: false };
}

/** List pages being read, by listing key and page index: shared by the snapshots that want them meanwhile. */
const pagesInFlight = new Map<string, Promise<ListPage<unknown>>>();

/**
 * Reads a page, or joins the read of the same page already in flight. The engine deletes the sets of a project in
 * parallel and their snapshots read the same pages at the same moment: issue 6's benchmark read the 51 pages of a
 * 5,000-job project 349 times for six sets. A joined answer left the server a little before this snapshot asked
 * for it, which is no different from a slower network; should it break `snapshotPaged`'s back-to-front order, the
 * listing shows as moved and the members not seen are looked up.
 */
function sharedFetch<T>(listing: PagedListing<T>, index: number): Promise<ListPage<T>> {
  const key = `${listing.key}\u0000${index}`;
  let page = pagesInFlight.get(key) as Promise<ListPage<T>> | undefined;
  if (!page) {
    page = listing.fetch(index);
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
    const shown = missing.slice(0, 20).join(", ") + (missing.length > 20 ? ` and ${missing.length - 20} more` : "");
    throw new JobsNotFoundError(`${service}: ${count(missing.length)} of ${count(ids.length)} jobs do not exist in ${where}: ${shown}`, missing, {
      service,
      jobId: missing[0],
    });
  }
}

/** Marks the jobs the snapshot did not find as done, and says how many there were. */
export function recordAlreadyGone(service: string, ids: readonly string[], exists: (id: string) => boolean, ledger: TeardownLedger, progress: Progress): void {
  for (const id of ids) if (!exists(id)) ledger.done.add(id);
  if (ledger.done.size) progress.log(`${service}: ${count(ledger.done.size)} of ${count(ids.length)} jobs already gone`);
}

// ---------------------------------------------------------------------------------------------------
// Batch and per-job calls

export interface BatchPlan {
  batchSize: number;
  /** Batch calls in flight at once. */
  concurrency: number;
  send(ids: string[]): Promise<BatchOutcome[]>;
  /** Which of `ids` still exist (and so are sent again), for answers that do not say which job they are about. */
  stillExisting(ids: string[]): Promise<Set<string>>;
}

/**
 * Sends `ids` in chunks through `plan.send`, in parallel up to the plan's concurrency. Outcomes "done",
 * "gone" and "not-running" go to `onDone`; "failed" records the reason; "unknown" (an answer that does
 * not say which job it is about) makes us look again and resend only what still exists, a bounded number
 * of times. A whole chunk that errors marks each of its jobs failed with the API's message, and the other
 * chunks go on.
 */
export async function runBatches(plan: BatchPlan, ids: string[], ledger: TeardownLedger, onDone: (jobId: string, outcome: BatchOutcome) => void): Promise<void> {
  let todo = ids;
  for (let round = 0; todo.length > 0; round++) {
    const unknown = new Map<string, string>();
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
        else if (outcome.outcome === "unknown") unknown.set(outcome.jobId, outcome.message);
        else onDone(outcome.jobId, outcome);
      }
    });
    if (unknown.size === 0) return;
    const stillThere = await plan.stillExisting([...unknown.keys()]);
    for (const id of unknown.keys()) if (!stillThere.has(id)) onDone(id, { jobId: id, outcome: "gone", message: "no longer listed" });
    todo = [...unknown.keys()].filter((id) => stillThere.has(id));
    if (round + 1 >= MAX_RESOLVE_ROUNDS) {
      for (const id of todo) ledger.fail(id, unknown.get(id)!);
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

/** A wait that ran out of time fails the jobs it was still waiting for; the others go on. Other errors propagate. */
export function failOnTimeout(error: unknown, ledger: TeardownLedger): void {
  if (!(error instanceof JobSetError) || !("remaining" in error)) throw error;
  for (const id of (error as { remaining: string[] }).remaining) ledger.fail(id, error.message);
}

// ---------------------------------------------------------------------------------------------------
// The end

/**
 * Resolves when every job is torn down; otherwise throws PartialTeardownError naming each job that failed
 * and why. `headline` replaces the default first line (MRS's "still running and killRunning is false").
 */
export function finishTeardown(
  service: string,
  ids: readonly string[],
  ledger: TeardownLedger,
  progress: Progress,
  how: string,
  headline?: string,
): { done: string[] } {
  if (ledger.failed.size) {
    const lines = [...ledger.failed].slice(0, MAX_LISTED_FAILURES).map(([id, reason]) => `  ${service} job ${id}: ${reason}`);
    const more = ledger.failed.size > MAX_LISTED_FAILURES ? [`  … and ${ledger.failed.size - MAX_LISTED_FAILURES} more`] : [];
    const first =
      headline ??
      `${service}: ${count(ledger.failed.size)} of ${count(ids.length)} jobs were not torn down ` +
        `(${count(ledger.done.size)} done; a rerun of the destroy retries only what is left)`;
    throw new PartialTeardownError(`${first}:\n${[...lines, ...more].join("\n")}`, [...ledger.done], ledger.failed, {
      service,
      jobId: ledger.failed.keys().next().value,
    });
  }
  progress.log(`${service}: ${count(ids.length)} jobs torn down (${how})`);
  return { done: [...ledger.done] };
}
