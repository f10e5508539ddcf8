/**
 * Sending a call for many jobs: batch calls in chunks (`runBatches`), or one call per job where the API has no batch
 * call (`forEachJob`). A failed chunk fails only its jobs; an answer that does not say which job it is about is
 * settled by looking again, a bounded number of times.
 */
import { chunk, mapConcurrent, type BatchOutcome } from "../clients/http";
import { AuthError } from "../errors";
import { reasonOf, type TeardownLedger } from "./ledger";

/** Rounds of "the answer was ambiguous: list again and resend what still needs it". */
export const MAX_RESOLVE_ROUNDS = 2;

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

/** What a per-job stop call (a Spark cancel, an MRS kill) answered: accepted, refused with the API's reason, or "gone". */
export type StopAnswer = { outcome: string } | { outcome: "refused" | "gone"; message: string };

/**
 * Sends a per-job stop call to each of `ids` (`forEachJob`). Returns the jobs to wait for, with the reason of each
 * call the API refused: the wait confirms whether the job has ended anyway. "gone" too is confirmed by the wait's
 * read before the job counts as gone, since it is the call's word, not the API's documented answer for that job.
 */
export async function stopEach(ids: readonly string[], concurrency: number, ledger: TeardownLedger, call: (id: string) => Promise<StopAnswer>): Promise<{ waiting: string[]; refused: Map<string, string> }> {
  const waiting: string[] = [];
  const refused = new Map<string, string>();
  await forEachJob(ids, concurrency, ledger, async (id) => {
    const answer = await call(id);
    if (answer.outcome === "refused" && "message" in answer) refused.set(id, answer.message);
    waiting.push(id);
  });
  return { waiting, refused };
}
